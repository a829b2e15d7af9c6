-- 1. A cluster's facts (what the gates read) move into one jsonb column written from the domain
--    crate's `ClusterFacts`, so adding a fact needs no column, no SQL and no migration. The tier
--    stays queryable (filters, the fleet summary) as a stored generated column with its CHECK.
ALTER TABLE clusters ADD COLUMN facts jsonb;
UPDATE clusters c SET facts = jsonb_strip_nulls(to_jsonb(c) - ARRAY[
    'id', 'name', 'site_id', 'parent_id', 'labels', 'profile_id', 'decided_cni', 'exception_rationale',
    'version', 'created_at', 'updated_at', 'facts']);

-- Drop every other column of the old layout without naming the facts one by one.
DO $$
DECLARE col text;
BEGIN
    FOR col IN
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'clusters'
          AND column_name <> ALL (ARRAY['id', 'name', 'site_id', 'parent_id', 'labels', 'profile_id',
              'decided_cni', 'exception_rationale', 'version', 'created_at', 'updated_at', 'facts'])
    LOOP
        EXECUTE format('ALTER TABLE clusters DROP COLUMN %I', col);
    END LOOP;
END $$;

ALTER TABLE clusters
    ALTER COLUMN facts SET NOT NULL,
    ADD CONSTRAINT clusters_facts_is_object CHECK (jsonb_typeof(facts) = 'object'),
    ADD COLUMN tier text GENERATED ALWAYS AS (facts ->> 'tier') STORED
        CONSTRAINT clusters_tier_check CHECK (tier IN ('cell', 'plant', 'regional', 'cloud'));
CREATE INDEX clusters_tier_idx ON clusters (tier);

-- 2. Reference data that upgrades: rows loaded from `reference.json` remember that they came from
--    it (`from_reference`) and whether anyone edited them since (`edited`). A newer release adds
--    new keys and refreshes unedited rows; an edited row is never overwritten.
ALTER TABLE criteria ADD COLUMN from_reference boolean NOT NULL DEFAULT false,
                     ADD COLUMN edited boolean NOT NULL DEFAULT false;
ALTER TABLE candidates ADD COLUMN from_reference boolean NOT NULL DEFAULT false,
                       ADD COLUMN edited boolean NOT NULL DEFAULT false;
ALTER TABLE scores ADD COLUMN from_reference boolean NOT NULL DEFAULT false,
                   ADD COLUMN edited boolean NOT NULL DEFAULT false;
ALTER TABLE profiles ADD COLUMN from_reference boolean NOT NULL DEFAULT false,
                     ADD COLUMN edited boolean NOT NULL DEFAULT false;
-- Everything present before this migration was loaded from the reference file; a profile saved
-- since (version > 1) counts as edited.
UPDATE criteria SET from_reference = true;
UPDATE candidates SET from_reference = true;
UPDATE scores SET from_reference = true, edited = (version > 1);
UPDATE profiles SET from_reference = true, edited = (version > 1) WHERE updated_by = 'reference data';

-- The version of reference.json last reconciled into this database.
CREATE TABLE reference_state (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    version     text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
