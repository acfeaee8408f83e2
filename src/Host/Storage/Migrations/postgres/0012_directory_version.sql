-- 0012: a number that moves whenever the department directory (departments, their names and aliases) changes, so
-- every instance can keep the directory in memory and reload it only when it moved (one tiny read per request
-- instead of a thousand rows).
CREATE TABLE directory_version (
    id       integer PRIMARY KEY CHECK (id = 1),
    version  bigint NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER departments_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departments
FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER department_names_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON department_names
FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
