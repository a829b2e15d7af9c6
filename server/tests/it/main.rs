//! Integration tests against real PostgreSQL: repositories and the HTTP API on the real router.
//! One binary, so the crate graph links once.

#![allow(clippy::unwrap_used)]

mod adrs;
mod assets;
mod auth;
mod authz;
mod db;
mod fleet;
mod gitops;
mod hardening;
mod helpers;
mod http;
mod logs;
mod openapi;
mod perf_caches;
mod restart;
mod robustness;
mod security;
mod stakeholders;
mod versions;
