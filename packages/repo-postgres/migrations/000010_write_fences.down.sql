-- Undoes version 10: write fences go.
DROP FUNCTION IF EXISTS lqx_fence(text, bigint);
DROP TABLE IF EXISTS lqx_fences;
