-- Fields added to the resources after they were first stored, each with a default in the schema:
-- documents written before (by an older release, or by hand) get that default, so every reader sees
-- the shape the schema promises. Each row written here is logged as a change like any other.
UPDATE virtual_machines SET spec = spec || '{"stopMode": "graceful"}'::jsonb WHERE NOT spec ? 'stopMode';
UPDATE virtual_machines SET status = status || '{"nics": []}'::jsonb WHERE NOT status ? 'nics';
UPDATE virtual_networks SET spec = spec || '{"reservedRanges": []}'::jsonb WHERE NOT spec ? 'reservedRanges';
UPDATE virtual_networks SET status = status || '{"allocations": {}}'::jsonb WHERE NOT status ? 'allocations';
