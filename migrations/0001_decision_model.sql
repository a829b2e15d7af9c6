-- The decision model: criteria, candidates, scores and weight profiles.
-- Keys (criteria.key, candidates.key) are stable API names; rows are data, not code.

CREATE TABLE criteria (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    position    integer NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    why         text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT criteria_position_key UNIQUE (position)
);

CREATE TABLE candidates (
    key               text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    position          integer NOT NULL,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    status            text NOT NULL CHECK (status IN ('scored', 'dismissed')),
    summary           text NOT NULL DEFAULT '',
    -- A dismissed candidate must say why (the seed does for Antrea and Flannel).
    dismissed_reason  text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT candidates_position_key UNIQUE (position),
    CONSTRAINT candidates_dismissed_has_reason CHECK (status = 'scored' OR dismissed_reason IS NOT NULL)
);

-- A base score has tier NULL; a row with a tier overrides the base score for that tier only.
CREATE TABLE scores (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_key  text NOT NULL REFERENCES candidates (key) ON DELETE CASCADE,
    criterion_key  text NOT NULL REFERENCES criteria (key) ON DELETE CASCADE,
    tier           text CHECK (tier IN ('cell', 'plant', 'regional', 'cloud')),
    score          smallint NOT NULL CHECK (score BETWEEN 0 AND 5),
    rationale      text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- NULLS NOT DISTINCT: only one base score per candidate and criterion.
    CONSTRAINT scores_candidate_criterion_tier_key UNIQUE NULLS NOT DISTINCT (candidate_key, criterion_key, tier)
);

CREATE TABLE profiles (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    tier         text CHECK (tier IN ('cell', 'plant', 'regional', 'cloud')),
    context      text CHECK (context IN ('greenfield', 'brownfield')),
    -- Optimistic concurrency: a write names the version it read and bumps it.
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profiles_name_key UNIQUE (name),
    CONSTRAINT profiles_context_needs_tier CHECK (context IS NULL OR tier IS NOT NULL)
);

-- Weights in tenths of a percent; the application checks that a profile's weights sum to 1000
-- inside the same transaction that writes them.
CREATE TABLE profile_weights (
    profile_id     bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    criterion_key  text NOT NULL REFERENCES criteria (key) ON DELETE CASCADE,
    weight_tenths  integer NOT NULL CHECK (weight_tenths BETWEEN 0 AND 1000),
    PRIMARY KEY (profile_id, criterion_key)
);
