-- Up Migration
-- Which catalogue service wrote the row; existing rows get an empty name.
ALTER TABLE demo_items ADD COLUMN service text NOT NULL DEFAULT '';
CREATE INDEX demo_items_service_idx ON demo_items (service);

-- Down Migration
DROP INDEX demo_items_service_idx;
ALTER TABLE demo_items DROP COLUMN service;
