//! OpenAPI schemas of the types that travel as text or a number rather than as their fields
//! (feature `openapi`, for the server's `/api/v1/openapi.json`); every other wire type derives
//! `utoipa::ToSchema` beside its serde derive.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::adr::AdrNumber;
use crate::catalog::Cycle;
use crate::gates::KernelRequirement;
use crate::versions::CniVersion;

fn text(description: &str, pattern: Option<&str>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .examples([serde_json::json!(example)])
        .into()
}

impl PartialSchema for CniVersion {
    fn schema() -> RefOr<Schema> {
        text(
            "A CNI release, `1.18.2`, or a minor line, `1.18` (a leading `v` is accepted)",
            Some(r"^v?\d+\.\d+(\.\d+)?$"),
            "1.18.2",
        )
    }
}
impl ToSchema for CniVersion {}

impl PartialSchema for Cycle {
    fn schema() -> RefOr<Schema> {
        text("A minor release line", Some(r"^\d+\.\d+$"), "1.18")
    }
}
impl ToSchema for Cycle {}

impl PartialSchema for KernelRequirement {
    fn schema() -> RefOr<Schema> {
        text("A minimum kernel as the catalog states it", None, "5.10 or 4.18 on RHEL 8.10")
    }
}
impl ToSchema for KernelRequirement {}

impl PartialSchema for AdrNumber {
    fn schema() -> RefOr<Schema> {
        // Sent as an integer; read as one or as `0001` / `ADR-0001`.
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(u32::MAX)))
            .item(ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^(ADR-)?\d{1,10}$")))
            .description(Some("An ADR number: 1 on the wire; 0001 and ADR-0001 are read too"))
            .into()
    }
}
impl ToSchema for AdrNumber {}
