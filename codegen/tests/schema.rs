//! `spec/schema.json` must know exactly the keys the model accepts: a key added to the model
//! without the schema (or the reverse) fails here.

use bitrix_codegen::spec::*;
use std::collections::BTreeSet;

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn schema_keys(schema: &serde_json::Value, pointer: &str) -> BTreeSet<String> {
    keys(
        schema
            .pointer(pointer)
            .unwrap_or_else(|| panic!("schema has no {pointer}")),
    )
}

#[test]
fn schema_matches_the_model() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let field = Field {
        name: "A".into(),
        rust_name: Some("a".into()),
        ty: TypeExpr::One("object".into()),
        items: Some("x".into()),
        fields: Some(vec![]),
        required: Required::Yes,
        min: Some(1),
        max: Some(2),
        max_length: Some(3),
        max_items: Some(4),
        required_if: Some(Condition {
            name: "B".into(),
            value: Scalar::Str("x".into()),
        }),
        nullable: true,
        values: Some(vec![]),
        encoding: Some(Encoding::Yn),
        default: Some(serde_yaml::Value::Null),
        deprecated: Some("d".into()),
        one_of: vec![vec!["a".into(), "b".into()]],
        secret: true,
        description: Some("d".into()),
    };
    let result = ResultSpec {
        ty: TypeExpr::One("object".into()),
        items: Some("x".into()),
        fields: Some(vec![]),
        values: Some(vec![]),
        encoding: Some(Encoding::Yn),
        nullable: true,
        description: Some("d".into()),
        example: Some(serde_yaml::Value::Bool(true)),
    };
    let error = ErrorSpec {
        code: "X".into(),
        status: 400,
        message: Some("m".into()),
        in_result: true,
        description: Some("d".into()),
        docs: Some("limits.md".into()),
    };
    let method = MethodSpec {
        method: "a.b".into(),
        namespace: Some("a".into()),
        summary: "s".into(),
        description: Some("d".into()),
        scopes: vec![],
        access: Some("a".into()),
        auth: Some(vec![AuthKind::Oauth]),
        docs: "x.md".into(),
        deprecated: Some(Deprecation {
            replacement: Some("r".into()),
            note: Some("n".into()),
            inoperative: true,
        }),
        params: vec![field.clone()],
        result: result.clone(),
        read: true,
        list: Some(ListSpec {
            page_size: Some(50),
            items: "result".into(),
            fast: true,
            paging: Paging::Offset {
                offset: "OFFSET".into(),
                limit: None,
            },
            end: Some(ListEnd::Short),
        }),
        one_of: vec![vec!["a".into(), "b".into()]],
        errors: vec![error.clone()],
        see_also: vec!["x.y".into()],
        deviations: vec![Deviation {
            name: "X".into(),
            reason: "r".into(),
        }],
    };
    assert_eq!(
        keys(&json(&method)),
        schema_keys(&schema, "/properties"),
        "method keys"
    );
    assert_eq!(
        keys(&json(&field)),
        schema_keys(&schema, "/$defs/field/properties"),
        "field keys"
    );
    assert_eq!(
        keys(&json(&result)),
        schema_keys(&schema, "/$defs/result/properties"),
        "result keys"
    );
    assert_eq!(
        keys(&json(&error)),
        schema_keys(&schema, "/$defs/error/properties"),
        "error keys"
    );
    assert_eq!(
        keys(&json(&method.deprecated)),
        schema_keys(&schema, "/properties/deprecated/properties"),
        "deprecation keys"
    );
    assert_eq!(
        keys(&json(&method.list)),
        schema_keys(&schema, "/$defs/list/properties"),
        "list keys"
    );
    let offset = Paging::Offset {
        offset: "OFFSET".into(),
        limit: Some("LIMIT".into()),
    };
    let cursor = Paging::Cursor {
        cursor: "LAST_ID".into(),
        from: "id".into(),
        limit: Some("LIMIT".into()),
    };
    assert_eq!(json(&Paging::Start), "start", "paging: start");
    assert_eq!(
        keys(&json(&offset)),
        schema_keys(&schema, "/$defs/paging/oneOf/1/properties"),
        "paging offset keys"
    );
    assert_eq!(
        keys(&json(&cursor)),
        schema_keys(&schema, "/$defs/paging/oneOf/2/properties"),
        "paging cursor keys"
    );
    assert_eq!(
        keys(&json(&ListEnd::Flag("hasMore".into()))),
        schema_keys(&schema, "/$defs/list_end/oneOf/1/properties"),
        "end flag keys"
    );
    let event = EventSpec {
        event: "ONX".into(),
        rust_name: "OnX".into(),
        namespace: "x".into(),
        summary: "s".into(),
        description: Some("d".into()),
        scopes: vec![],
        subscribers: Some("s".into()),
        docs: "x.md".into(),
        deprecated: Some(Deprecation {
            replacement: Some("r".into()),
            note: Some("n".into()),
            inoperative: true,
        }),
        data: vec![field.clone()],
        data_value: Some(result.clone()),
        see_also: vec!["x.y".into()],
        deviations: vec![Deviation {
            name: "X".into(),
            reason: "r".into(),
        }],
    };
    assert_eq!(
        keys(&json(&event)),
        schema_keys(&schema, "/$defs/event/properties"),
        "event keys"
    );
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}
