-- Nothing to undo: the filled-in defaults are valid documents for the older schema too.
SELECT 1;
