-- Undoes version 5: drops the refresh-token families; every session ends with them.
DROP TABLE IF EXISTS auth_sessions;
