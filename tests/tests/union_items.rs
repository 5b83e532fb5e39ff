//! A union of items (`items: [integer, DialogUser]`) decodes each item by trying its members
//! in order, leniently: ids (also as strings) and user records side by side, and an item that
//! fits no member fails the call instead of being guessed.

use bitrix_api::im::{
    DepartmentColleaguesListResultItem as Colleague,
    DepartmentEmployeesGetResultItemItem as Employee, DialogUser,
};
use std::collections::BTreeMap;

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(json)
}

#[test]
fn ids_and_user_records_decode_into_their_members() {
    let items: Vec<Colleague> =
        decode(r#"[7, "8", {"id": "9", "name": "Ann", "active": "Y"}]"#).expect("decodes");
    assert_eq!(items[0], Colleague::Integer(7));
    assert_eq!(items[1], Colleague::Integer(8), "a numeric string is an id");
    match &items[2] {
        Colleague::DialogUser(user) => {
            let user: &DialogUser = user;
            assert_eq!((user.id, user.name.as_deref()), (9, Some("Ann")));
        }
        other => panic!("{other:?}"),
    }
    let by_department: BTreeMap<String, Vec<Employee>> =
        decode(r#"{"5": [1, 2], "6": []}"#).expect("decodes");
    assert_eq!(
        by_department["5"],
        [Employee::Integer(1), Employee::Integer(2)]
    );
    assert!(by_department["6"].is_empty());
}

#[test]
fn an_item_that_fits_no_member_is_an_error_naming_the_type() {
    for bad in [r#"["seven"]"#, r#"[{"name": "no id"}]"#, "[true]", "[null]"] {
        let err = decode::<Vec<Colleague>>(bad).expect_err(bad).to_string();
        assert!(
            err.contains("none of Integer, DialogUser fits"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn members_convert_and_serialise_untagged() {
    let id: Colleague = 3.into();
    assert_eq!(serde_json::to_string(&id).unwrap(), "3");
    assert_eq!(Colleague::from(3), Colleague::Integer(3));
}
