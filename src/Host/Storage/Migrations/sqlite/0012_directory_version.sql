-- 0012: a number that moves whenever the department directory (departments, their names and aliases) changes, so
-- the server can keep the directory in memory and reload it only when it moved.
CREATE TABLE directory_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

CREATE TRIGGER departments_directory_version_insert AFTER INSERT ON departments
BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER departments_directory_version_update AFTER UPDATE ON departments
BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER departments_directory_version_delete AFTER DELETE ON departments
BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER department_names_directory_version_insert AFTER INSERT ON department_names
BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER department_names_directory_version_update AFTER UPDATE ON department_names
BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER department_names_directory_version_delete AFTER DELETE ON department_names
BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END;
