//! A seed that walks nested mappings down a key path and reads only the entry at its end.

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

pub struct Seed<'k, T> {
    keys: &'k [&'k str],
    _value: PhantomData<T>,
}

impl<'k, T> Seed<'k, T> {
    pub fn new(keys: &'k [&'k str]) -> Self {
        Seed {
            keys,
            _value: PhantomData,
        }
    }
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Option<T>, D::Error> {
        match self.keys.split_first() {
            None => T::deserialize(de).map(Some),
            Some((first, rest)) => de.deserialize_map(Walk::<T> {
                key: first,
                rest,
                _value: PhantomData,
            }),
        }
    }
}

struct Walk<'k, T> {
    key: &'k str,
    rest: &'k [&'k str],
    _value: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Walk<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                found = map.next_value_seed(Seed::<T>::new(self.rest))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    /// An empty or null document or section holds no entry.
    fn visit_unit<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
}
