-- The fleet: sites (plants and regions) and clusters with the facts the gates read.

CREATE TABLE sites (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    kind        text NOT NULL CHECK (kind IN ('plant', 'region')),
    location    text,
    -- The region a plant belongs to, for grouping on the fleet map.
    region_id   bigint REFERENCES sites (id) ON DELETE SET NULL,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sites_name_key UNIQUE (name)
);

CREATE TABLE clusters (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                 text NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    site_id              bigint NOT NULL REFERENCES sites (id),
    parent_id            bigint REFERENCES clusters (id) ON DELETE SET NULL CHECK (parent_id <> id),
    tier                 text NOT NULL CHECK (tier IN ('cell', 'plant', 'regional', 'cloud')),
    context              text CHECK (context IN ('greenfield', 'brownfield')),
    distribution         text NOT NULL DEFAULT '',
    nodes                integer NOT NULL DEFAULT 1 CHECK (nodes >= 1),
    cores_per_node       integer CHECK (cores_per_node >= 1),
    memory_gib_per_node  double precision CHECK (memory_gib_per_node > 0),
    -- As reported by the node (`uname -r`), parsed by the gates.
    kernel               text,
    bgp_fabric           text NOT NULL DEFAULT 'none' CHECK (bgp_fabric IN ('none', 'network_team', 'platform_team')),
    wan_uplink           boolean NOT NULL DEFAULT false,
    underlay_mtu         integer CHECK (underlay_mtu BETWEEN 576 AND 65535),
    underlay_symmetric   boolean NOT NULL DEFAULT true,
    pod_cidr             text,
    max_pods_per_node    integer CHECK (max_pods_per_node >= 1),
    labels               jsonb NOT NULL DEFAULT '{}',
    profile_id           bigint REFERENCES profiles (id) ON DELETE SET NULL,
    decided_cni          text,
    exception_rationale  text CHECK (length(exception_rationale) <= 2000),
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clusters_name_key UNIQUE (name)
);
CREATE INDEX clusters_site_id_idx ON clusters (site_id);
CREATE INDEX clusters_parent_id_idx ON clusters (parent_id);
