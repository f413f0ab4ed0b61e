//! FHIR loading, resource by resource.
