-- Up Migration
-- A small table every example service can write to, so a release has a real schema to migrate.
CREATE TABLE demo_items (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE demo_items;
