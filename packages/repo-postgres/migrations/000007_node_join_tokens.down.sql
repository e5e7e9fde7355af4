-- Undoes version 7: drops the node join tokens (their triggers and indexes go with the table).
DROP TABLE IF EXISTS node_join_tokens;
