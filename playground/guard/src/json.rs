//! Typed, case-insensitive access to the Docker API's JSON objects.
//!
//! The Engine decodes bodies with Go's `encoding/json`, which matches field
//! names case-insensitively (with Unicode folding: `ſ` matches `s`, `K`
//! matches `k`). A check that only looked at `"Privileged"` would miss
//! `"privileged"`, so every lookup here folds the same way, and an object
//! holding two spellings of one field is refused as ambiguous.

use serde_json::{Map, Value};

use crate::policy::Refusal;

/// Folds a name the way Go's `encoding/json` compares field names.
fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect()
}

/// The key of `obj` that Go would decode into the field `name`, if any.
fn key_for(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, Refusal> {
    let want = fold(name);
    let mut found = obj.keys().filter(|k| fold(k) == want);
    match (found.next(), found.next()) {
        (Some(_), Some(_)) => Err(Refusal::malformed(format!(
            "field {name} is given more than once (in different letter case)"
        ))),
        (first, None) => Ok(first.cloned()),
        (None, Some(_)) => unreachable!(),
    }
}

/// The value of field `name`, treating JSON `null` as absent (as Go does).
pub fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<Option<&'a Value>, Refusal> {
    Ok(key_for(obj, name)?.and_then(|k| obj.get(&k)).filter(|v| !v.is_null()))
}

/// Mutable access to field `name` (absent or `null` gives `None`).
pub fn get_mut<'a>(obj: &'a mut Map<String, Value>, name: &str) -> Result<Option<&'a mut Value>, Refusal> {
    Ok(match key_for(obj, name)? {
        Some(k) => obj.get_mut(&k).filter(|v| !v.is_null()),
        None => None,
    })
}

fn wrong_type(name: &str, what: &str) -> Refusal {
    Refusal::malformed(format!("field {name} must be {what}"))
}

pub fn bool_field(obj: &Map<String, Value>, name: &str) -> Result<bool, Refusal> {
    match get(obj, name)? {
        None => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| wrong_type(name, "a boolean")),
    }
}

pub fn str_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, Refusal> {
    match get(obj, name)? {
        None => Ok(""),
        Some(v) => v.as_str().ok_or_else(|| wrong_type(name, "a string")),
    }
}

/// An array field (any element type); absent gives an empty slice.
pub fn array_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a [Value], Refusal> {
    match get(obj, name)? {
        None => Ok(&[]),
        Some(v) => v
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| wrong_type(name, "an array")),
    }
}

pub fn str_array<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<Vec<&'a str>, Refusal> {
    array_field(obj, name)?
        .iter()
        .map(|v| v.as_str().ok_or_else(|| wrong_type(name, "an array of strings")))
        .collect()
}

/// An object field; absent gives `None`.
pub fn object_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<Option<&'a Map<String, Value>>, Refusal> {
    match get(obj, name)? {
        None => Ok(None),
        Some(v) => v.as_object().map(Some).ok_or_else(|| wrong_type(name, "an object")),
    }
}

pub fn object_field_mut<'a>(
    obj: &'a mut Map<String, Value>,
    name: &str,
) -> Result<Option<&'a mut Map<String, Value>>, Refusal> {
    match get_mut(obj, name)? {
        None => Ok(None),
        Some(v) => v.as_object_mut().map(Some).ok_or_else(|| wrong_type(name, "an object")),
    }
}

/// A mutable array of objects (e.g. `Mounts`); absent gives `None`.
pub fn objects_mut<'a>(
    obj: &'a mut Map<String, Value>,
    name: &str,
) -> Result<Vec<&'a mut Map<String, Value>>, Refusal> {
    match get_mut(obj, name)? {
        None => Ok(Vec::new()),
        Some(v) => v
            .as_array_mut()
            .ok_or_else(|| wrong_type(name, "an array of objects"))?
            .iter_mut()
            .map(|e| e.as_object_mut().ok_or_else(|| wrong_type(name, "an array of objects")))
            .collect(),
    }
}

/// A map of string to string (e.g. `DriverOpts`); absent gives an empty list.
pub fn string_map<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<Vec<(&'a str, &'a str)>, Refusal> {
    let Some(map) = object_field(obj, name)? else {
        return Ok(Vec::new());
    };
    map.iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|v| (k.as_str(), v))
                .ok_or_else(|| wrong_type(name, "an object of strings"))
        })
        .collect()
}

/// True when two names are the same field to Go (for map keys we compare).
pub fn same_name(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_fold_case_like_go() {
        let v = json!({"privileged": true, "Hoſtconfig": {}});
        let obj = v.as_object().unwrap();
        assert!(bool_field(obj, "Privileged").unwrap());
        assert!(object_field(obj, "HostConfig").unwrap().is_some());
    }

    #[test]
    fn two_spellings_of_one_field_are_refused() {
        let v = json!({"Privileged": false, "privileged": true});
        assert!(matches!(
            bool_field(v.as_object().unwrap(), "Privileged"),
            Err(Refusal::Malformed(_))
        ));
    }

    #[test]
    fn null_is_absent_and_wrong_types_are_refused() {
        let v = json!({"Binds": null, "CapAdd": "ALL", "Mounts": [1]});
        let mut obj = v.as_object().unwrap().clone();
        assert!(str_array(&obj, "Binds").unwrap().is_empty());
        assert!(str_array(&obj, "CapAdd").is_err());
        assert!(objects_mut(&mut obj, "Mounts").is_err());
    }
}
