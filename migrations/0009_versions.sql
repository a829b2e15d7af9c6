-- CNI versions (issue 11): the release catalog moves from the binary into PostgreSQL so an admin
-- can refresh it without a new release, and clusters report what actually runs.

-- One row per minor line of a product. `release` is the domain crate's `Release` as JSON (its
-- minimum kernel is a parsed requirement with RHEL clauses, read back as is); product and cycle
-- are columns for the key and for sorting.
CREATE TABLE cni_releases (
    product     text NOT NULL CHECK (product ~ '^[a-z][a-z0-9_-]{0,39}$'),
    cycle       text NOT NULL CHECK (cycle ~ '^[0-9]{1,4}\.[0-9]{1,4}$'),
    release     jsonb NOT NULL CHECK (jsonb_typeof(release) = 'object'),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cni_releases_pkey PRIMARY KEY (product, cycle)
);

-- Every patch release with its date (endoflife.date's release data).
CREATE TABLE cni_patches (
    product      text NOT NULL CHECK (product ~ '^[a-z][a-z0-9_-]{0,39}$'),
    version      text NOT NULL CHECK (version ~ '^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$'),
    released_on  date,
    CONSTRAINT cni_patches_pkey PRIMARY KEY (product, version)
);

-- The catalog's version: every import bumps it, and the recommendations (kernel gates) and the
-- version checks of every server depend on it.
CREATE TABLE catalog_state (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- What a cluster reported running: the newest observation per cluster, and a bounded history
-- (the service keeps the last 20 per cluster).
CREATE TABLE cluster_observations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id   bigint NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    cni          text NOT NULL,
    version      text NOT NULL,
    kernel       text,
    observed_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cluster_observations_cluster_idx ON cluster_observations (cluster_id, observed_at DESC, id DESC);

CREATE TABLE cluster_latest_observations (
    cluster_id   bigint PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    cni          text NOT NULL,
    version      text NOT NULL,
    kernel       text,
    observed_at  timestamptz NOT NULL
);

-- Every server's caches: the catalog feeds the gates (so the fleet map) and the version checks;
-- observations feed the version checks and the map's drift badges.
CREATE FUNCTION notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchyard_catalog_changed', TG_TABLE_NAME);
    PERFORM pg_notify('switchyard_fleet_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER catalog_state_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog_state
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER cni_releases_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cni_releases
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER cni_patches_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cni_patches
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER cluster_latest_observations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cluster_latest_observations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_changed();
