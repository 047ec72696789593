//! Values that cross into and out of either engine.

use crate::Error;

/// A statement argument or a column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (`INTEGER` in SQLite, `BIGINT` in PostgreSQL; flags are 0 or 1).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes (`BLOB`, `BYTEA`).
    Blob(Vec<u8>),
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(value: Vec<u8>) -> Self {
        Self::Blob(value)
    }
}

impl From<&[u8]> for Value {
    fn from(value: &[u8]) -> Self {
        Self::Blob(value.to_vec())
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<u64> for Value {
    /// Times and counts: saturated at `i64::MAX` (year 292 billion).
    fn from(value: u64) -> Self {
        Self::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<u8> for Value {
    fn from(value: u8) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<usize> for Value {
    fn from(value: usize) -> Self {
        Self::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// A row of a query's result, by column index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `index` as `T`; a NULL or a value of another type is an error unless `T` is an
    /// `Option`.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T, Error> {
        let value = self.0.get(index).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| {
            Error::Internal(format!(
                "column {index} holds {value:?}, not a {}",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// A Rust type a column converts to.
pub trait FromValue: Sized {
    /// The value as `Self`, or `None` when it does not fit.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Option<Self> {
                i64::from_value(value).and_then(|n| <$t>::try_from(n).ok())
            }
        }
    )*};
}
from_int!(u64, u32, u8, usize);

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).map(|n| n != 0)
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Blob(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_convert_both_ways_and_refuse_what_does_not_fit() {
        let row = Row(vec![
            Value::from(7u64),
            Value::from(true),
            Value::from("a"),
            Value::from(vec![1u8, 2]),
            Value::from(None::<u32>),
            Value::from(-1i64),
        ]);
        assert_eq!(row.get::<u64>(0).unwrap(), 7);
        assert!(row.get::<bool>(1).unwrap());
        assert_eq!(row.get::<String>(2).unwrap(), "a");
        assert_eq!(row.get::<Vec<u8>>(3).unwrap(), vec![1, 2]);
        assert_eq!(row.get::<Option<u32>>(4).unwrap(), None);
        assert_eq!(row.get::<Option<u64>>(0).unwrap(), Some(7));
        // A negative number is no u64, a NULL is no String, text is no integer.
        assert!(row.get::<u64>(5).is_err());
        assert!(row.get::<String>(4).is_err());
        assert!(row.get::<i64>(2).is_err());
        assert_eq!(Value::from(u64::MAX), Value::Int(i64::MAX));
    }
}
