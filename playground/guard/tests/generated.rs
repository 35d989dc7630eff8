//! Generated requests against the guard in front of a fake engine: bodies
//! for container, exec, service, volume and network creates, with field
//! names in any letter case (and Go's Unicode folds), `\u` escapes,
//! duplicated keys, legacy top-level `HostConfig` fields and wrong types.
//! Whatever the guard forwards is decoded the way the engine decodes it
//! (case-insensitive names, the last duplicate wins) by a model written
//! apart from the guard's own code, and must ask for nothing the policy
//! refuses; whatever asks for such a thing must not be forwarded.

mod common;

use std::fmt::Write as _;

use common::Lab;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON document as the engine sees it: objects keep every key, in order.
#[derive(Debug, Clone, PartialEq)]
enum Doc {
    Obj(Vec<(String, Doc)>),
    Arr(Vec<Doc>),
    Str(String),
    Bool(bool),
    Other,
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Doc, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Doc;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Doc::Obj(pairs))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Doc::Arr(items))
            }
            fn visit_str<E>(self, s: &str) -> Result<Doc, E> {
                Ok(Doc::Str(s.to_string()))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Doc, E> {
                Ok(Doc::Bool(b))
            }
            fn visit_unit<E>(self) -> Result<Doc, E> {
                Ok(Doc::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Doc, E> {
                Ok(Doc::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Doc, E> {
                Ok(Doc::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Doc, E> {
                Ok(Doc::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Go's `encoding/json` name matching: case-insensitive with simple Unicode
/// folds (`ſ` is `s`, the Kelvin sign is `k`).
fn go_fold(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'ſ' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl Doc {
    /// The field `name` as the engine decodes it: the last matching key.
    fn field(&self, name: &str) -> Option<&Doc> {
        let Doc::Obj(pairs) = self else { return None };
        pairs
            .iter()
            .rev()
            .find(|(k, _)| go_fold(k) == go_fold(name))
            .map(|(_, v)| v)
            .filter(|v| **v != Doc::Other)
    }
    fn truthy(&self, name: &str) -> bool {
        self.field(name) == Some(&Doc::Bool(true))
    }
    fn str_of(&self, name: &str) -> &str {
        match self.field(name) {
            Some(Doc::Str(s)) => s,
            _ => "",
        }
    }
    fn items(&self, name: &str) -> &[Doc] {
        match self.field(name) {
            Some(Doc::Arr(items)) => items,
            _ => &[],
        }
    }
    fn non_empty(&self, name: &str) -> bool {
        match self.field(name) {
            Some(Doc::Arr(items)) => !items.is_empty(),
            Some(Doc::Obj(pairs)) => !pairs.is_empty(),
            Some(Doc::Str(s)) => !s.is_empty(),
            _ => false,
        }
    }
}

/// What the engine would be asked for that the policy refuses, if anything
/// (the model: `home_site` is the one bind source the test home allows).
fn danger(endpoint: Endpoint, doc: &Doc, home_site: &str) -> Option<String> {
    match endpoint {
        Endpoint::Container => [Some(doc), doc.field("HostConfig")]
            .into_iter()
            .flatten()
            .find_map(|hc| host_config_danger(hc, home_site)),
        Endpoint::Exec => doc.truthy("Privileged").then(|| "exec --privileged".into()),
        Endpoint::Service => {
            let cs = doc.field("TaskTemplate")?.field("ContainerSpec")?;
            if cs.non_empty("CapabilityAdd") {
                return Some("service --cap-add".into());
            }
            if cs.items("Mounts").iter().any(|m| go_fold(m.str_of("Type")) == "bind") {
                return Some("service bind mount".into());
            }
            let seccomp = cs.field("Privileges").and_then(|p| p.field("Seccomp"));
            seccomp
                .is_some_and(|s| !matches!(s.str_of("Mode"), "" | "default"))
                .then(|| "service seccomp".into())
        }
        Endpoint::Volume => {
            let driver = doc.str_of("Driver");
            if !matches!(driver, "" | "local") {
                return Some(format!("volume driver {driver}"));
            }
            let Some(Doc::Obj(opts)) = doc.field("DriverOpts") else {
                return None;
            };
            opts.iter()
                .any(|(k, v)| {
                    let v = match v {
                        Doc::Str(s) => s.to_ascii_lowercase(),
                        _ => String::new(),
                    };
                    matches!(k.as_str(), "device") || (k == "o" && v.contains("bind")) || (k == "type" && v == "none")
                })
                .then(|| "volume binding a host path".into())
        }
        Endpoint::Network => {
            let driver = doc.str_of("Driver");
            (!matches!(driver, "" | "bridge" | "overlay" | "macvlan" | "ipvlan"))
                .then(|| format!("network driver {driver}"))
        }
    }
}

fn host_config_danger(hc: &Doc, home_site: &str) -> Option<String> {
    let flags = [
        ("Privileged", hc.truthy("Privileged")),
        ("CapAdd", hc.non_empty("CapAdd")),
        ("Devices", hc.non_empty("Devices")),
        ("SecurityOpt", hc.non_empty("SecurityOpt")),
        ("Sysctls", hc.non_empty("Sysctls")),
        ("CgroupParent", hc.non_empty("CgroupParent")),
        ("Runtime", !matches!(hc.str_of("Runtime"), "" | "runc")),
    ];
    if let Some((name, _)) = flags.iter().find(|(_, on)| *on) {
        return Some(name.to_string());
    }
    for mode in [
        "PidMode",
        "IpcMode",
        "UTSMode",
        "UsernsMode",
        "CgroupnsMode",
        "NetworkMode",
    ] {
        if hc.str_of(mode).trim().eq_ignore_ascii_case("host") {
            return Some(format!("{mode} host"));
        }
    }
    let bad_source = |src: &str| src.starts_with('/') && clean(src) != home_site;
    for bind in hc.items("Binds") {
        if let Doc::Str(b) = bind
            && bad_source(b.split(':').next().unwrap_or(""))
        {
            return Some(format!("bind {b}"));
        }
    }
    for m in hc.items("Mounts") {
        if go_fold(m.str_of("Type")) == "bind" && bad_source(m.str_of("Source")) {
            return Some(format!("mount {}", m.str_of("Source")));
        }
    }
    None
}

/// A path cleaned as the kernel resolves it when no symlink is involved.
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Endpoint {
    Container,
    Exec,
    Service,
    Volume,
    Network,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Container => "/v1.41/containers/create",
            Endpoint::Exec => "/v1.41/containers/abc/exec",
            Endpoint::Service => "/v1.41/services/create",
            Endpoint::Volume => "/v1.41/volumes/create",
            Endpoint::Network => "/v1.41/networks/create",
        }
    }
}

/// A generated body: a tree whose keys are spelled as the generator chose.
#[derive(Debug, Clone)]
enum Gen {
    Obj(Vec<(String, Gen)>),
    Arr(Vec<Gen>),
    /// JSON text as is.
    Raw(String),
}

impl Gen {
    fn render(&self, out: &mut String) {
        match self {
            Gen::Obj(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" ,");
                    }
                    let _ = write!(out, "\"{k}\" :");
                    v.render(out);
                }
                out.push('}');
            }
            Gen::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.render(out);
                }
                out.push(']');
            }
            Gen::Raw(text) => out.push_str(text),
        }
    }
}

fn raw(text: &str) -> Gen {
    Gen::Raw(text.to_string())
}

/// Spellings of a field name the engine accepts as that field: its own,
/// any letter case, Go's Unicode folds, and a JSON `\u` escape.
fn spelling(name: &'static str) -> impl Strategy<Value = String> {
    (0..6u8, any::<u64>()).prop_map(move |(how, bits)| match how {
        0 | 1 => name.to_string(),
        2 => name.to_lowercase(),
        3 => name
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if bits >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect(),
        4 => name.replace('s', "ſ").replace('k', "\u{212A}"),
        _ => {
            let mut chars = name.chars();
            let first = chars.next().unwrap();
            format!("\\u{:04x}{}", first as u32, chars.as_str())
        }
    })
}

/// One field with a value that is sometimes refused, sometimes fine,
/// sometimes of the wrong type.
fn field(name: &'static str, values: Vec<Gen>) -> BoxedStrategy<(String, Gen)> {
    (spelling(name), proptest::sample::select(values)).boxed()
}

fn host_config_fields(home: String) -> Vec<BoxedStrategy<(String, Gen)>> {
    let host_modes = || {
        vec![
            raw("\"host\""),
            raw("\" HOST \""),
            raw("\"private\""),
            raw("\"\""),
            raw("null"),
        ]
    };
    let site = format!("{home}/site");
    let source = move |s: &str| {
        vec![
            raw(&format!("\"{s}:/x\"")),
            raw("\"data:/data\""),
            raw("\"/:/host\""),
            raw(&format!("\"{home}/link:/x\"")),
            raw(&format!("\"{home}/site/../..:/x:ro\"")),
            raw(&format!("\"{home}/./site/:/x:ro\"")),
        ]
    };
    let binds: Vec<Gen> = source(&site).into_iter().map(|b| Gen::Arr(vec![b])).collect();
    let mounts: Vec<Gen> = ["bind", "BIND", "volume", "tmpfs"]
        .iter()
        .flat_map(|t| {
            [site.clone(), "/".into(), "/etc".into()]
                .into_iter()
                .map(move |s| raw(&format!(r#"[{{"Type": "{t}", "Source": "{s}", "Target": "/m"}}]"#)))
        })
        .collect();
    let flag = || vec![raw("true"), raw("false"), raw("null"), raw("\"true\"")];
    let list = |item: &str| {
        vec![
            raw("[]"),
            raw(&format!("[{item}]")),
            raw("null"),
            raw(&format!("\"{}\"", item.trim_matches('"'))),
        ]
    };
    vec![
        field("Privileged", flag()),
        field("CapAdd", list("\"NET_ADMIN\"")),
        field(
            "Devices",
            list(r#"{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}"#),
        ),
        field("SecurityOpt", list("\"seccomp=unconfined\"")),
        field(
            "Sysctls",
            vec![raw("{}"), raw(r#"{"kernel.shmmax": "1"}"#), raw("null")],
        ),
        field("CgroupParent", vec![raw("\"\""), raw("\"/\""), raw("null")]),
        field(
            "Runtime",
            vec![raw("\"\""), raw("\"runc\""), raw("\"runsc\""), raw("\"x\"")],
        ),
        field("PidMode", host_modes()),
        field("IpcMode", host_modes()),
        field("UTSMode", host_modes()),
        field("UsernsMode", host_modes()),
        field("CgroupnsMode", host_modes()),
        field("NetworkMode", host_modes()),
        field("Binds", binds),
        field("Mounts", mounts),
        field("Memory", vec![raw("104857600"), raw("0")]),
    ]
}

/// An object of some of `fields`, some of them twice (in another spelling,
/// with another value), in any order, after the `fixed` ones.
fn object(fields: Vec<BoxedStrategy<(String, Gen)>>, fixed: Vec<(String, Gen)>) -> BoxedStrategy<Gen> {
    let n = fields.len();
    let times = prop_oneof![6 => Just(0usize), 1 => Just(1), 1 => Just(2)];
    (fields.clone(), fields, proptest::collection::vec(times, n))
        .prop_flat_map(move |(first, second, times)| {
            let mut pairs = Vec::new();
            for (i, n) in times.iter().enumerate() {
                pairs.extend([&first[i], &second[i]].into_iter().take(*n).cloned());
            }
            let fixed = fixed.clone();
            Just(pairs)
                .prop_shuffle()
                .prop_map(move |pairs| Gen::Obj(fixed.iter().cloned().chain(pairs).collect()))
        })
        .boxed()
}

fn body(endpoint: Endpoint, home: String) -> BoxedStrategy<Gen> {
    let image = ("Image".to_string(), raw("\"mini\""));
    match endpoint {
        Endpoint::Container => {
            let hc = object(host_config_fields(home.clone()), vec![]);
            let mut top = host_config_fields(home);
            top.push((spelling("HostConfig"), hc).boxed());
            object(top, vec![image])
        }
        Endpoint::Exec => object(
            vec![
                field("Privileged", vec![raw("true"), raw("false"), raw("null"), raw("1")]),
                field("User", vec![raw("\"root\"")]),
            ],
            vec![("Cmd".into(), raw(r#"["sh"]"#))],
        ),
        Endpoint::Service => {
            let privileges = object(
                vec![field(
                    "Seccomp",
                    vec![
                        raw(r#"{"Mode": "unconfined"}"#),
                        raw(r#"{"Mode": "default"}"#),
                        raw("null"),
                    ],
                )],
                vec![],
            );
            let mut cs_fields = vec![
                field(
                    "CapabilityAdd",
                    vec![raw("[]"), raw(r#"["CAP_SYS_ADMIN"]"#), raw("null")],
                ),
                field(
                    "Mounts",
                    vec![
                        raw(&format!(
                            r#"[{{"Type": "bind", "Source": "{home}/site", "Target": "/x"}}]"#
                        )),
                        raw(r#"[{"Type": "volume", "Source": "v", "Target": "/v"}]"#),
                    ],
                ),
            ];
            cs_fields.push((spelling("Privileges"), privileges).boxed());
            let cs = object(cs_fields, vec![image]);
            let task = object(vec![(spelling("ContainerSpec"), cs).boxed()], vec![]);
            object(
                vec![(spelling("TaskTemplate"), task).boxed()],
                vec![("Name".into(), raw("\"s\""))],
            )
        }
        Endpoint::Volume => object(
            vec![
                field("Driver", vec![raw("\"local\""), raw("\"\""), raw("\"sshfs\"")]),
                field(
                    "DriverOpts",
                    vec![
                        raw("{}"),
                        raw(r#"{"type": "tmpfs", "device": "tmpfs", "o": "size=1m"}"#),
                        raw(r#"{"type": "none", "o": "bind", "device": "/"}"#),
                        raw(r#"{"o": "rbind,ro"}"#),
                        raw(r#"{"type": "tmpfs"}"#),
                    ],
                ),
            ],
            vec![("Name".into(), raw("\"vol\""))],
        ),
        Endpoint::Network => object(
            vec![field(
                "Driver",
                vec![raw("\"bridge\""), raw("\"overlay\""), raw("\"weave\""), raw("null")],
            )],
            vec![("Name".into(), raw("\"net\""))],
        ),
    }
}

/// Sends `cases` generated bodies to `endpoint` and checks each one.
fn run(endpoint: Endpoint, cases: u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let lab = rt.block_on(Lab::start());
    std::fs::create_dir_all(lab.home().join("site")).unwrap();
    std::os::unix::fs::symlink("/", lab.home().join("link")).unwrap();
    let home = lab.home().canonicalize().unwrap().display().to_string();
    let home_site = format!("{home}/site");
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&body(endpoint, home), |generated| {
            let mut text = String::new();
            generated.render(&mut text);
            let before = lab.seen().len();
            let (status, answer) = rt.block_on(lab.post_json(endpoint.path(), &text));
            let forwarded: Vec<_> = lab.seen()[before..]
                .iter()
                .filter(|s| s.uri == endpoint.path())
                .map(|s| s.body.clone())
                .collect();
            let asked: Option<Doc> = serde_json::from_str(&text).ok();
            let wanted = asked.as_ref().and_then(|d| danger(endpoint, d, &home_site));
            match forwarded.as_slice() {
                [] => prop_assert!(
                    status.is_client_error(),
                    "not forwarded, yet {status}: {answer} for {text}"
                ),
                [sent] => {
                    let sent: Doc = serde_json::from_slice(sent).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(
                        danger(endpoint, &sent, &home_site),
                        None,
                        "the engine was sent {:?}",
                        sent
                    );
                    prop_assert_eq!(wanted, None, "forwarded {}", text);
                }
                more => return Err(TestCaseError::fail(format!("forwarded {} times", more.len()))),
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn generated_container_creates_never_reach_the_engine_with_what_the_policy_refuses() {
    run(Endpoint::Container, 600);
}

#[test]
fn generated_exec_service_volume_and_network_creates_too() {
    for endpoint in [Endpoint::Exec, Endpoint::Service, Endpoint::Volume, Endpoint::Network] {
        run(endpoint, 200);
    }
}
