//! compose.yaml cannot be started here (no images can be pulled), so its
//! shape is checked with a YAML parser instead.

use serde_yaml_ng::Value;

fn compose() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../compose.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).expect("compose.yaml is valid YAML")
}

#[test]
fn berth_waits_for_a_healthy_postgres_and_uses_it() {
    let c = compose();
    let berth = &c["services"]["berth"];
    let postgres = &c["services"]["postgres"];
    assert!(postgres["image"].as_str().unwrap().starts_with("postgres:"));
    assert!(postgres["healthcheck"]["test"].is_sequence());
    assert_eq!(berth["depends_on"]["postgres"]["condition"], "service_healthy");
    let context = berth["build"].as_str().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(context);
    assert!(root.join("Dockerfile").exists(), "the build context has a Dockerfile");

    let env = &berth["environment"];
    let url = env["BERTH_DATABASE_URL"].as_str().unwrap();
    assert!(
        url.starts_with("postgres://berth:") && url.ends_with("@postgres/berth"),
        "{url}"
    );
    assert_eq!(env["BERTH_LISTEN"], "0.0.0.0:3000");
    // Database credentials agree between the two services.
    assert_eq!(postgres["environment"]["POSTGRES_USER"], "berth");
    assert_eq!(postgres["environment"]["POSTGRES_DB"], "berth");
}

#[test]
fn every_named_volume_is_declared() {
    let c = compose();
    let declared = c["volumes"].as_mapping().unwrap();
    for (name, service) in c["services"].as_mapping().unwrap() {
        for volume in service["volumes"].as_sequence().into_iter().flatten() {
            let source = volume.as_str().unwrap().split(':').next().unwrap();
            if !source.starts_with('.') && !source.starts_with('/') {
                assert!(
                    declared.contains_key(source),
                    "{name:?} uses undeclared volume {source}"
                );
            }
        }
    }
}
