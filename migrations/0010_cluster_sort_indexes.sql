-- The cluster list pages by number in four orders (`/clusters?sort=…&page=…`); with 10,000
-- clusters an OFFSET deep into an unindexed order sorts every row on each request. These indexes
-- match the ORDER BY expressions of `store::clusters` exactly, so each page is an index scan.
CREATE INDEX clusters_tier_order_idx ON clusters (array_position(ARRAY['cell', 'plant', 'regional', 'cloud'], tier), name);
CREATE INDEX clusters_cni_order_idx ON clusters (decided_cni NULLS LAST, name);
