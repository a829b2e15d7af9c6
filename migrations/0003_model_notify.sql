-- Servers cache the decision model (criteria, candidates, scores) because every evaluation reads
-- it; any change to those tables tells every server to drop its copy.
CREATE FUNCTION notify_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchyard_model_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER criteria_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON criteria
    FOR EACH STATEMENT EXECUTE FUNCTION notify_model_changed();
CREATE TRIGGER candidates_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON candidates
    FOR EACH STATEMENT EXECUTE FUNCTION notify_model_changed();
CREATE TRIGGER scores_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scores
    FOR EACH STATEMENT EXECUTE FUNCTION notify_model_changed();
