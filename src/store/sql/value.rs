//! Values bound to and read from either database. The store keeps integers,
//! text and the odd real; rows are read into owned values.

use std::borrow::Cow;

use crate::store::StoreError;

/// A bound parameter or a read column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(Cow<'a, str>),
    Blob(Cow<'a, [u8]>),
}

impl Value<'_> {
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Integer(i) => Value::Integer(i),
            Value::Real(r) => Value::Real(r),
            Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
            Value::Blob(b) => Value::Blob(Cow::Owned(b.into_owned())),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Integer(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

impl From<i64> for Value<'static> {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}

impl From<String> for Value<'static> {
    fn from(text: String) -> Self {
        Value::Text(Cow::Owned(text))
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Text(Cow::Borrowed(text))
    }
}

/// What can be bound as a parameter.
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Integer(*self as i64)
            }
        }
    )*};
}
integers!(i64, i32, i16, u32, u16, u8);

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
}

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        match self {
            Value::Null => Value::Null,
            Value::Integer(i) => Value::Integer(*i),
            Value::Real(r) => Value::Real(*r),
            Value::Text(t) => Value::Text(Cow::Borrowed(t)),
            Value::Blob(b) => Value::Blob(Cow::Borrowed(b)),
        }
    }
}

/// What a column can be read as.
pub trait FromValue: Sized {
    fn from_value(value: &Value<'static>) -> Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        match value {
            Value::Integer(i) => Ok(*i),
            other => Err(format!("expected an integer, found {}", other.kind())),
        }
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        let i = i64::from_value(value)?;
        u64::try_from(i).map_err(|_| format!("expected a count, found {i}"))
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        let i = i64::from_value(value)?;
        u32::try_from(i).map_err(|_| format!("{i} does not fit 32 bits"))
    }
}

impl FromValue for u8 {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        let i = i64::from_value(value)?;
        u8::try_from(i).map_err(|_| format!("{i} does not fit 8 bits"))
    }
}

impl FromValue for i32 {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        let i = i64::from_value(value)?;
        i32::try_from(i).map_err(|_| format!("{i} does not fit 32 bits"))
    }
}

impl FromValue for bool {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        Ok(i64::from_value(value)? != 0)
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        match value {
            Value::Real(r) => Ok(*r),
            Value::Integer(i) => Ok(*i as f64),
            other => Err(format!("expected a number, found {}", other.kind())),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        match value {
            Value::Text(t) => Ok(t.to_string()),
            other => Err(format!("expected text, found {}", other.kind())),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        match value {
            Value::Blob(b) => Ok(b.to_vec()),
            other => Err(format!("expected bytes, found {}", other.kind())),
        }
    }
}

impl FromValue for Value<'static> {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        Ok(value.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value<'static>) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value<'static>>);

/// A column index (rusqlite's `get::<_, T>` spelling keeps working).
pub trait RowIndex {
    fn index(&self) -> usize;
}

impl RowIndex for usize {
    fn index(&self) -> usize {
        *self
    }
}

impl Row {
    pub fn get<I: RowIndex, T: FromValue>(&self, index: I) -> Result<T, StoreError> {
        let i = index.index();
        let value = self
            .0
            .get(i)
            .ok_or_else(|| StoreError::Column(format!("no column {i}")))?;
        T::from_value(value).map_err(|e| StoreError::Column(format!("column {i}: {e}")))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
