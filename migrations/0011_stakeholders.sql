-- Stakeholder weights (issue 13): the people a decision is made with (an ADR's decision-makers
-- and consulted) each give their own nine weights for a profile. The studio shows each one's
-- winner, the spread per criterion and an aggregate, mean or median as the profile chooses.

ALTER TABLE profiles ADD COLUMN aggregate text NOT NULL DEFAULT 'mean' CHECK (aggregate IN ('mean', 'median'));

CREATE TABLE profile_stakeholders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id  bigint NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    role        text NOT NULL CHECK (role IN ('decision-maker', 'consulted')),
    -- The account whose own weights these are, when they entered them (or an architect linked
    -- them); NULL when an architect entered them on someone's behalf.
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    -- Criterion key → tenths of a percent; the application checks every key and that they sum to
    -- 1000 before it writes.
    weights     jsonb NOT NULL CHECK (jsonb_typeof(weights) = 'object'),
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL,
    CONSTRAINT profile_stakeholders_name_key UNIQUE (profile_id, name),
    -- One entry per account and profile: a user's own weights are one set.
    CONSTRAINT profile_stakeholders_user_key UNIQUE (profile_id, user_id)
);
