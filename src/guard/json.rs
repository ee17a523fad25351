//! JSON that keeps its keys in the order they were written, for MongoDB queries.
//!
//! MongoDB reads a document's keys in order: `{"sort": {"b": 1, "a": -1}}` sorts by `b` first, and a
//! `$sort` stage likewise. serde_json's own map is sorted by key unless its `preserve_order` feature is
//! on, and that feature is shared by every crate in the build: turning it on would change the key order
//! of all JSON Picovis writes (API bodies, events, snapshots, cache keys), and with it anything that
//! builds a map from a `HashMap` would come out in a different order every run. So the MongoDB guard
//! parses into this small tree instead, which keeps the order, and converts it to BSON itself. A key
//! written twice in one object is refused: which one MongoDB would use is not something to guess.

use bson::{Bson, Document};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;

/// A JSON value with ordered objects.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, keys in the order written.
    Object(Map),
}

/// An object's entries, in the order written; each key once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Map(Vec::new())
    }

    /// Takes the entry `key` out.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    /// Adds `key` at the end, or replaces its value where it is.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The object as a BSON document, in the same order. Extended JSON (`{"$date": ...}`,
    /// `{"$oid": ...}`) becomes the BSON type it names.
    pub fn to_document(&self) -> Result<Document, String> {
        let mut document = Document::new();
        for (key, value) in &self.0 {
            document.insert(key.clone(), value.to_bson()?);
        }
        Ok(document)
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

/// The keys that open an extended JSON value (a BSON type written as JSON) rather than a document: the
/// only ones the MongoDB guard admits besides its operators.
pub const EXTENDED: &[&str] = &[
    "$date",
    "$oid",
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$uuid",
    "$timestamp",
    "$regularExpression",
    "$minKey",
    "$maxKey",
];

impl Value {
    /// The value as BSON, objects in order.
    pub fn to_bson(&self) -> Result<Bson, String> {
        Ok(match self {
            Value::Object(map) if map.keys().next().is_some_and(|k| EXTENDED.contains(&k.as_str())) => {
                Bson::try_from(serde_json::Value::from(self)).map_err(|e| e.to_string())?
            }
            Value::Object(map) => Bson::Document(map.to_document()?),
            Value::Array(items) => Bson::Array(items.iter().map(Value::to_bson).collect::<Result<_, _>>()?),
            other => Bson::try_from(serde_json::Value::from(other)).map_err(|e| e.to_string())?,
        })
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(n.into())
    }
}

impl From<&Value> for serde_json::Value {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Into::into).collect()),
            Value::Object(map) => {
                serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), v.into())).collect())
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => items.serialize(serializer),
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map.iter() {
                    out.serialize_entry(key, value)?;
                }
                out.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            if map.keys().any(|k| *k == key) {
                return Err(de::Error::custom(format!("the key `{key}` appears twice in one object")));
            }
            map.0.push((key, value));
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_order_into_bson_and_back_out() {
        let value: Value = serde_json::from_str(
            r#"{"b": 1, "a": {"z": [1, {"y": 2, "x": 3}]}, "c": {"$date": "2024-01-02T00:00:00Z"}}"#,
        )
        .unwrap_or(Value::Null);
        assert_eq!(
            value.to_string(),
            r#"{"b":1,"a":{"z":[1,{"y":2,"x":3}]},"c":{"$date":"2024-01-02T00:00:00Z"}}"#
        );
        let Value::Object(map) = &value else { unreachable!() };
        let document = map.to_document().unwrap_or_default();
        assert_eq!(document.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert!(matches!(document.get("c"), Some(Bson::DateTime(_))));
        let inner = document.get_document("a").ok().and_then(|a| a.get_array("z").ok()).cloned();
        let Some(Bson::Document(last)) = inner.and_then(|z| z.last().cloned()) else { unreachable!() };
        assert_eq!(last.keys().collect::<Vec<_>>(), ["y", "x"]);
    }

    #[test]
    fn a_key_written_twice_is_refused() {
        assert!(serde_json::from_str::<Value>(r#"{"a": 1, "b": {"c": 1, "c": 2}}"#).is_err());
    }
}
