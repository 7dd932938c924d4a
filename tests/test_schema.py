"""Schema (API.md §6): types, inheritance, properties and constraints, indexes, persistence."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from arcadelite import (
    ArcadeDBError,
    DuplicatedKeyError,
    IndexType,
    PropertyType,
    SchemaError,
    ValidationError,
)
from arcadelite.schema import DocumentType, EdgeType, VertexType

# --- types ------------------------------------------------------------------------------------


def test_create_each_kind_of_type(db):
    doc = db.schema.create_document_type("Note")
    vertex = db.schema.create_vertex_type("Person")
    edge = db.schema.create_edge_type("Knows")
    assert (type(doc), type(vertex), type(edge)) == (DocumentType, VertexType, EdgeType)
    assert (doc.kind, vertex.kind, edge.kind) == ("document", "vertex", "edge")
    assert (doc.name, vertex.get_name()) == ("Note", "Person")
    assert db.schema.exists_type("Knows") is True
    assert db.schema.exists_type("Nope") is False
    assert db.schema.get_type("Nope") is None
    assert db.schema.get_type("Person") == vertex
    assert sorted(t.name for t in db.schema.get_types()) == ["Knows", "Note", "Person"]
    assert db.new_document("Note").get_type_name() == "Note"
    assert db.new_vertex("Person").get_type_name() == "Person"


def test_duplicate_type_is_refused(db, snapshot):
    db.schema.create_vertex_type("Person")
    before = snapshot(db)
    for create in (
        db.schema.create_vertex_type,
        db.schema.create_document_type,
        db.schema.create_edge_type,
    ):
        with pytest.raises(SchemaError) as err:
            create("Person")
        assert "'Person' already exists" in str(err.value)
    assert snapshot(db) == before


def test_get_or_create_is_idempotent(db):
    first = db.schema.get_or_create_vertex_type("Person")
    second = db.schema.get_or_create_vertex_type("Person")
    assert first == second
    assert db.schema.get_or_create_document_type("Note") == db.schema.get_type("Note")
    assert db.schema.get_or_create_edge_type("Knows").kind == "edge"
    assert db.schema.get_or_create_edge_type("Knows") == db.schema.get_type("Knows")
    assert sorted(t.name for t in db.schema.get_types()) == ["Knows", "Note", "Person"]


def test_get_or_create_with_another_kind_is_refused(db, snapshot):
    db.schema.create_vertex_type("Person")
    before = snapshot(db)
    with pytest.raises(SchemaError) as err:
        db.schema.get_or_create_document_type("Person")
    assert "'Person'" in str(err.value)
    assert "vertex" in str(err.value) and "document" in str(err.value)
    with pytest.raises(SchemaError, match="'Person'.*vertex.*edge"):
        db.schema.get_or_create_edge_type("Person")
    assert snapshot(db) == before


def test_records_only_of_their_kind(db):
    db.schema.create_vertex_type("Person")
    db.schema.create_document_type("Note")
    db.schema.create_edge_type("Knows")
    with pytest.raises(SchemaError, match="'Person' is a vertex type, not a document type"):
        db.new_document("Person")
    with pytest.raises(SchemaError, match="'Note' is a document type, not a vertex type"):
        db.new_vertex("Note")
    with pytest.raises(SchemaError, match="'Knows' is a edge type, not a vertex type"):
        db.new_vertex("Knows")
    with pytest.raises(SchemaError, match="Type 'Nope' does not exist"):
        db.new_vertex("Nope")
    with pytest.raises(SchemaError, match="Type 'Nope' does not exist"):
        db.new_document("Nope")


def test_drop_type_removes_type_and_records(db, reopen):
    db.schema.create_document_type("Note")
    db.schema.create_property("Note", "k", "STRING")
    db.schema.create_index("Note", ["k"], unique=True)
    with db.transaction():
        rid = db.new_document("Note").set("k", "a").save().get_rid()
    db.schema.drop_type("Note")
    assert db.schema.exists_type("Note") is False
    assert db.count_type("Note") == 0
    assert db.schema.get_indexes() == []
    with pytest.raises(ArcadeDBError, match=re.escape(rid)):
        db.lookup_by_rid(rid)
    db = reopen(db)
    assert db.schema.exists_type("Note") is False
    assert db.schema.get_indexes() == []
    db.schema.create_document_type("Note")  # the name is free again, with no records
    assert db.count_type("Note") == 0


def test_a_recreated_type_never_reuses_old_rids(db):
    db.schema.create_document_type("A")
    with db.transaction():
        old = db.new_document("A").set("x", 1).save().get_rid()
    db.schema.drop_type("A")
    db.schema.create_document_type("B")
    with db.transaction():
        new = db.new_document("B").set("x", 2).save().get_rid()
    assert new != old
    with pytest.raises(ArcadeDBError, match=re.escape(old)):
        db.lookup_by_rid(old)


def test_drop_unknown_type_is_an_error(db):
    with pytest.raises(SchemaError, match="Type 'Nope' does not exist"):
        db.schema.drop_type("Nope")


# --- inheritance --------------------------------------------------------------------------------


@pytest.fixture
def zoo(db):
    db.schema.create_vertex_type("Animal")
    db.schema.create_vertex_type("Dog", supertypes=["Animal"])
    db.schema.create_vertex_type("Puppy", supertypes="Dog")
    db.schema.create_vertex_type("Cat", supertypes=["Animal"])
    with db.transaction():
        for type_name, name in [
            ("Animal", "generic"),
            ("Dog", "rex"),
            ("Dog", "fido"),
            ("Puppy", "bit"),
            ("Cat", "tom"),
        ]:
            db.new_vertex(type_name).set("name", name).save()
    return db


def test_polymorphic_count(zoo):
    assert zoo.count_type("Animal") == 5
    assert zoo.count_type("Animal", polymorphic=False) == 1
    assert zoo.count_type("Dog") == 3
    assert zoo.count_type("Dog", polymorphic=False) == 2
    assert zoo.count_type("Puppy") == 1
    assert zoo.count_type("Cat", False) == 1
    assert zoo.count_type("Nope") == 0
    assert zoo.schema.get_type("Dog").count() == 3


def test_polymorphic_iteration(zoo):
    def names(type_name, polymorphic=True):
        return sorted(r.get("name") for r in zoo.iterate_type(type_name, polymorphic))

    assert names("Animal") == ["bit", "fido", "generic", "rex", "tom"]
    assert names("Animal", False) == ["generic"]
    assert names("Dog") == ["bit", "fido", "rex"]
    assert names("Dog", False) == ["fido", "rex"]
    types = {r.get("name"): r.get_type_name() for r in zoo.iterate_type("Animal")}
    assert types == {"generic": "Animal", "rex": "Dog", "fido": "Dog", "bit": "Puppy", "tom": "Cat"}
    with pytest.raises(SchemaError, match="'Nope'"):
        zoo.iterate_type("Nope")


def test_type_objects_describe_inheritance(zoo):
    dog = zoo.schema.get_type("Dog")
    assert dog.supertypes == ["Animal"]
    assert dog.is_subtype_of("Animal") is True
    assert zoo.schema.get_type("Puppy").is_subtype_of("Animal") is True
    assert zoo.schema.get_type("Cat").is_subtype_of("Dog") is False
    assert sorted(zoo.schema.get_type("Animal").get_subtypes()) == ["Cat", "Dog", "Puppy"]


def test_extending_a_type_of_another_kind_or_unknown_is_refused(db, snapshot):
    db.schema.create_document_type("Note")
    before = snapshot(db)
    with pytest.raises(SchemaError, match="'Note'"):
        db.schema.create_vertex_type("V", supertypes=["Note"])
    with pytest.raises(SchemaError, match="'Nope' does not exist"):
        db.schema.create_vertex_type("V", supertypes=["Nope"])
    assert snapshot(db) == before


def test_drop_type_with_subtypes_is_refused(zoo, snapshot):
    before = snapshot(zoo)
    with pytest.raises(SchemaError) as err:
        zoo.schema.drop_type("Dog")
    assert "'Dog'" in str(err.value) and "Puppy" in str(err.value)
    assert snapshot(zoo) == before
    zoo.schema.drop_type("Puppy")
    zoo.schema.drop_type("Dog")
    assert zoo.count_type("Animal") == 2


def test_subtypes_inherit_properties_and_constraints(zoo):
    zoo.schema.create_property("Animal", "legs", "INTEGER").get_name()
    zoo.schema.get_type("Animal")  # refreshed
    zoo.schema.create_property("Animal", "sound", "STRING", mandatory=True)
    assert "legs" in zoo.schema.get_type("Puppy").get_property_names()
    with pytest.raises(ValidationError, match="'Puppy.sound' is mandatory"):
        with zoo.transaction():
            zoo.new_vertex("Puppy").set("legs", 4).save()
    with zoo.transaction():
        puppy = zoo.new_vertex("Puppy").set("legs", 4.0).set("sound", "yip").save()
    assert zoo.lookup_by_rid(puppy.get_rid()).get("legs") == 4
    assert type(zoo.lookup_by_rid(puppy.get_rid()).get("legs")) is int


# --- properties and constraints -------------------------------------------------------------------


def test_property_types_accept_enum_and_any_case(db):
    db.schema.create_document_type("T")
    db.schema.create_property("T", "a", PropertyType.INTEGER)
    db.schema.create_property("T", "b", "string")
    db.schema.create_property("T", "c", "DateTime")
    db.schema.create_property("T", "d", "LIST", of_type="INTEGER")
    props = {p.name: (p.type, p.of_type) for p in db.schema.get_type("T").properties}
    assert props == {
        "a": ("INTEGER", None),
        "b": ("STRING", None),
        "c": ("DATETIME", None),
        "d": ("LIST", "INTEGER"),
    }
    assert db.schema.get_type("T").get_property("b").get_type() == "STRING"
    assert db.schema.get_type("T").exists_property("a") is True


def test_bad_property_definitions_are_refused(db, snapshot):
    db.schema.create_document_type("T")
    db.schema.create_property("T", "a", "STRING")
    before = snapshot(db)
    cases = [
        (("T", "x", "WIBBLE"), {}, "WIBBLE"),
        (("Nope", "x", "STRING"), {}, "Nope"),
        (("T", "a", "STRING"), {}, "T.a"),
        (("T", "x", "STRING", "INTEGER"), {}, "OF INTEGER"),
        (("T", "x", "LIST", "Missing"), {}, "Missing"),
        (("T", "x", "STRING"), {"wobbly": True}, "wobbly"),
        (("T", "x", "STRING"), {"mandatory": "yes"}, "mandatory"),
        (("T", "@x", "STRING"), {}, "@x"),
    ]
    for args, constraints, culprit in cases:
        with pytest.raises(SchemaError) as err:
            db.schema.create_property(*args, **constraints)
        assert culprit in str(err.value), args
    assert snapshot(db) == before


def test_get_or_create_property(db):
    db.schema.create_document_type("T")
    first = db.schema.get_or_create_property("T", "a", "INTEGER")
    again = db.schema.get_or_create_property("T", "a", "int")
    assert (first.name, again.type) == ("a", "INTEGER")
    with pytest.raises(SchemaError, match="'T.a' exists as INTEGER, not STRING"):
        db.schema.get_or_create_property("T", "a", "STRING")
    with pytest.raises(SchemaError, match="WIBBLE"):
        db.schema.get_or_create_property("T", "a", "WIBBLE")


def test_drop_property(db):
    db.schema.create_document_type("T")
    db.schema.create_property("T", "a", "INTEGER", mandatory=True)
    db.schema.drop_property("T", "a")
    assert db.schema.get_type("T").exists_property("a") is False
    with db.transaction():
        db.new_document("T").set("a", "now anything").save()  # no longer checked
    with pytest.raises(SchemaError, match="'T.a' does not exist"):
        db.schema.drop_property("T", "a")


def _constrained(db):
    db.schema.create_document_type("C")
    db.schema.create_property("C", "code", "STRING", mandatory=True, regexp="[A-Z]{3}")
    db.schema.create_property("C", "name", "STRING", notnull=True, min=2, max=5)
    db.schema.create_property("C", "age", "INTEGER", min=0, max=150)
    db.schema.create_property("C", "born", "DATE", min=dt.date(1900, 1, 1))
    db.schema.create_property("C", "serial", "LONG", readonly=True)
    db.schema.create_property("C", "status", "STRING", default="new")
    db.schema.create_property("C", "tags", "LIST", max=2)


def _valid():
    return {"code": "ABC", "name": "Ann", "age": 30}


_BAD_VALUES = [
    # (property, value or _ABSENT, culprit text in the message)
    ("code", "_ABSENT", "'C.code' is mandatory"),
    ("code", "abc", "/[A-Z]{3}/"),
    ("code", "ABCD", "/[A-Z]{3}/"),
    ("name", None, "'C.name' cannot be null"),
    ("name", "A", "'C.name' is below the minimum 2"),
    ("name", "Annabel", "'C.name' is above the maximum 5"),
    ("age", -1, "'C.age' is below the minimum 0"),
    ("age", 151, "'C.age' is above the maximum 150"),
    ("age", "old", "'C.age' is declared INTEGER"),
    ("age", 1.5, "'C.age' is declared INTEGER"),
    ("born", dt.date(1899, 12, 31), "'C.born' is below the minimum 1900-01-01"),
    ("tags", [1, 2, 3], "'C.tags' is above the maximum 2"),
]


@pytest.mark.parametrize("prop, value, culprit", _BAD_VALUES)
def test_constraints_on_insert(db, snapshot, prop, value, culprit):
    _constrained(db)
    before = snapshot(db)
    record = db.new_document("C")
    for key, good in _valid().items():
        record.set(key, good)
    if value == "_ABSENT":
        record.remove(prop)
    else:
        record.set(prop, value)
    with pytest.raises(ValidationError) as err:
        with db.transaction():
            record.save()
    assert culprit in str(err.value)
    assert record.get_rid() is None
    assert snapshot(db) == before


@pytest.mark.parametrize("prop, value, culprit", _BAD_VALUES)
def test_constraints_on_update(db, snapshot, prop, value, culprit):
    _constrained(db)
    with db.transaction():
        record = db.new_document("C")
        for key, good in _valid().items():
            record.set(key, good)
        rid = record.save().get_rid()
    before = snapshot(db)
    changed = db.lookup_by_rid(rid).modify()
    if value == "_ABSENT":
        changed.remove(prop)
    else:
        changed.set(prop, value)
    with pytest.raises(ValidationError) as err:
        with db.transaction():
            changed.save()
    assert culprit in str(err.value)
    assert snapshot(db) == before


def test_valid_records_pass_and_default_applies_on_insert_only(db):
    _constrained(db)
    with db.transaction():
        first = db.new_document("C").set("code", "ABC").set("name", "Ann").save()
        second = db.new_document("C").set("code", "XYZ").set("name", "Bo").set("status", "x")
        second.save()
    assert db.lookup_by_rid(first.get_rid()).get("status") == "new"
    assert db.lookup_by_rid(second.get_rid()).get("status") == "x"
    changed = db.lookup_by_rid(first.get_rid()).modify()
    changed.remove("status")
    with db.transaction():
        changed.save()  # an update does not bring the default back
    assert db.lookup_by_rid(first.get_rid()).has_property("status") is False


def test_readonly(db, snapshot):
    _constrained(db)
    with db.transaction():
        with_serial = db.new_document("C").set("code", "ABC").set("name", "Ann").set("serial", 7)
        with_serial.save()
        without = db.new_document("C").set("code", "DEF").set("name", "Bob").save()
    before = snapshot(db)
    for record, value in [(with_serial, 8), (with_serial, None), (without, 1)]:
        changed = db.lookup_by_rid(record.get_rid()).modify().set("serial", value)
        with pytest.raises(ValidationError, match="'C.serial' is read-only"):
            with db.transaction():
                changed.save()
    removed = db.lookup_by_rid(with_serial.get_rid()).modify()
    removed.remove("serial")
    with pytest.raises(ValidationError, match="'C.serial' is read-only"):
        with db.transaction():
            removed.save()
    assert snapshot(db) == before
    with db.transaction():  # other properties still change; the same value is no change
        db.lookup_by_rid(with_serial.get_rid()).modify().set("age", 5).set("serial", 7).save()
    assert db.lookup_by_rid(with_serial.get_rid()).get("age") == 5


# --- indexes ------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    db.schema.create_vertex_type("Person")
    db.schema.create_property("Person", "email", "STRING")
    db.schema.create_property("Person", "first", "STRING")
    db.schema.create_property("Person", "last", "STRING")
    db.schema.create_property("Person", "city", "STRING")
    return db


def _save_person(db, **props):
    with db.transaction():
        vertex = db.new_vertex("Person")
        for key, value in props.items():
            vertex.set(key, value)
        return vertex.save()


def test_index_names_and_objects(people):
    unique = people.schema.create_index("Person", ["email"], unique=True)
    composite = people.schema.create_index("Person", ["first", "last"], unique=True)
    plain = people.schema.create_index("Person", "city")
    assert (unique.name, composite.get_name(), plain.name) == (
        "Person[email]",
        "Person[first,last]",
        "Person[city]",
    )
    assert (unique.unique, plain.unique) == (True, False)
    assert composite.properties == ["first", "last"]
    assert composite.type_name == "Person" == composite.get_type_name()
    assert plain.index_type == IndexType.LSM_TREE
    assert sorted(ix.name for ix in people.schema.get_indexes()) == [
        "Person[city]",
        "Person[email]",
        "Person[first,last]",
    ]
    assert people.schema.exists_index("Person[email]") is True
    assert people.schema.exists_index("Person[nope]") is False
    assert people.schema.get_index_by_name("Person[city]").unique is False
    with pytest.raises(SchemaError, match=re.escape("'Person[nope]'")):
        people.schema.get_index_by_name("Person[nope]")


def test_unique_index_on_insert(people, snapshot):
    people.schema.create_index("Person", ["email"], unique=True)
    ann = _save_person(people, email="a@x", first="Ann")
    before = snapshot(people)
    with pytest.raises(DuplicatedKeyError) as err:
        _save_person(people, email="a@x", first="Other")
    assert err.value.index_name == "Person[email]"
    assert err.value.key == "a@x"
    assert "Person[email]" in str(err.value)
    assert "'a@x'" in str(err.value)
    assert ann.get_rid() in str(err.value)
    assert snapshot(people) == before


def test_unique_index_on_update(people, snapshot):
    people.schema.create_index("Person", ["email"], unique=True)
    _save_person(people, email="a@x")
    bob = _save_person(people, email="b@x")
    before = snapshot(people)
    with pytest.raises(DuplicatedKeyError) as err:
        with people.transaction():
            bob.set("email", "a@x").save()
    assert (err.value.index_name, err.value.key) == ("Person[email]", "a@x")
    assert snapshot(people) == before
    with people.transaction():  # saving a record with its own key is no duplicate
        people.lookup_by_rid(bob.get_rid()).modify().set("city", "Oslo").save()


def test_unique_index_ignores_nulls_and_absent_values(people):
    people.schema.create_index("Person", ["email"], unique=True)
    for _ in range(2):
        _save_person(people, first="no email")
        _save_person(people, email=None)
    assert people.count_type("Person") == 4


def test_composite_unique_index(people, snapshot):
    people.schema.create_index("Person", ["first", "last"], unique=True)
    _save_person(people, first="Ann", last="Lee")
    _save_person(people, first="Ann", last="Kim")
    kim = _save_person(people, first="Bob", last="Kim")
    before = snapshot(people)
    with pytest.raises(DuplicatedKeyError) as err:
        _save_person(people, first="Ann", last="Lee")
    assert (err.value.index_name, err.value.key) == ("Person[first,last]", ["Ann", "Lee"])
    assert "Person[first,last]" in str(err.value)
    with pytest.raises(DuplicatedKeyError, match=re.escape("['Ann', 'Kim']")):
        with people.transaction():
            kim.set("first", "Ann").save()
    assert snapshot(people) == before


def test_non_unique_index_allows_duplicates(people):
    people.schema.create_index("Person", ["city"])
    people.schema.create_index("Person", ["first", "last"], unique=False)
    for _ in range(3):
        _save_person(people, city="Oslo", first="Ann", last="Lee")
    assert people.count_type("Person") == 3


def test_unique_index_of_a_supertype_covers_its_subtypes(people, snapshot):
    people.schema.create_index("Person", ["email"], unique=True)
    people.schema.create_vertex_type("Employee", supertypes=["Person"])
    people.schema.create_vertex_type("Manager", supertypes=["Employee"])
    ann = _save_person(people, email="a@x")
    before = snapshot(people)
    for type_name in ("Employee", "Manager"):
        with pytest.raises(DuplicatedKeyError) as err:
            with people.transaction():
                people.new_vertex(type_name).set("email", "a@x").save()
        assert err.value.index_name == "Person[email]"
        assert ann.get_rid() in str(err.value)
    assert snapshot(people) == before
    with people.transaction():
        boss = people.new_vertex("Manager").set("email", "m@x").save()
    with pytest.raises(DuplicatedKeyError, match=re.escape(boss.get_rid())):
        _save_person(people, email="m@x")
    with pytest.raises(DuplicatedKeyError, match=re.escape(boss.get_rid())):
        with people.transaction():
            people.lookup_by_rid(ann.get_rid()).modify().set("email", "m@x").save()
    found = people.lookup_by_key("Person", ["email"], ["m@x"])
    assert found.get_rid() == boss.get_rid()
    assert found.get_type_name() == "Manager"


def test_unique_index_over_existing_duplicates_creates_nothing(people, snapshot, reopen):
    _save_person(people, email="a@x")
    _save_person(people, email="a@x")
    before = snapshot(people)
    with pytest.raises(DuplicatedKeyError) as err:
        people.schema.create_index("Person", ["email"], unique=True)
    assert "Person[email]" in str(err.value)
    assert people.schema.get_indexes() == []
    assert people.schema.exists_index("Person[email]") is False
    assert snapshot(people) == before
    _save_person(people, email="a@x")  # nothing enforces a key
    people = reopen(people)
    assert people.schema.get_indexes() == []
    _save_person(people, email="a@x")
    assert people.count_type("Person") == 4
    people.schema.create_index("Person", ["email"])  # a non-unique one is fine
    assert [ix.name for ix in people.schema.get_indexes()] == ["Person[email]"]


def test_unique_index_over_duplicates_inside_a_transaction_creates_nothing(people, reopen):
    _save_person(people, email="a@x")
    _save_person(people, email="a@x")
    with people.transaction():
        _save_person_in_tx = people.new_vertex("Person").set("email", "b@x").save()
        with pytest.raises(DuplicatedKeyError):
            people.schema.create_index("Person", ["email"], unique=True)
        assert people.schema.get_indexes() == []
    assert people.lookup_by_rid(_save_person_in_tx.get_rid()).get("email") == "b@x"
    people = reopen(people)
    assert people.schema.get_indexes() == []
    _save_person(people, email="a@x")
    assert people.count_type("Person") == 4


def test_unique_index_over_duplicates_across_subtypes_creates_nothing(people, snapshot):
    people.schema.create_vertex_type("Employee", supertypes=["Person"])
    _save_person(people, email="a@x")
    with people.transaction():
        people.new_vertex("Employee").set("email", "a@x").save()
    before = snapshot(people)
    with pytest.raises(DuplicatedKeyError, match=re.escape("Person[email]")):
        people.schema.create_index("Person", ["email"], unique=True)
    assert snapshot(people) == before


def test_index_on_an_undeclared_property_is_refused(people, snapshot):
    before = snapshot(people)
    with pytest.raises(SchemaError) as err:
        people.schema.create_index("Person", ["email", "nickname"])
    assert "'Person.nickname'" in str(err.value)
    assert "not declared" in str(err.value)
    with pytest.raises(SchemaError, match="'Nope' does not exist"):
        people.schema.create_index("Nope", ["email"])
    with pytest.raises(SchemaError, match="at least one property"):
        people.schema.create_index("Person", [])
    assert snapshot(people) == before


def test_duplicate_index_and_get_or_create_index(people):
    created = people.schema.create_index("Person", ["email"], unique=True)
    with pytest.raises(SchemaError, match=re.escape("'Person[email]' already exists")):
        people.schema.create_index("Person", ["email"], unique=True)
    again = people.schema.get_or_create_index("Person", ["email"], unique=True)
    assert again.name == created.name
    assert len(people.schema.get_indexes()) == 1


def test_existing_data_is_indexed(people):
    for i in range(5):
        _save_person(people, email=f"{i}@x", city="Oslo" if i % 2 else "Rome")
    people.schema.create_index("Person", ["email"], unique=True)
    people.schema.create_index("Person", ["city"])
    assert people.lookup_by_key("Person", ["email"], ["3@x"]).get("city") == "Oslo"
    with pytest.raises(DuplicatedKeyError):
        _save_person(people, email="3@x")


def test_drop_index(people):
    people.schema.create_index("Person", ["email"], unique=True)
    _save_person(people, email="a@x")
    people.schema.drop_index("Person[email]")
    assert people.schema.get_indexes() == []
    _save_person(people, email="a@x")
    assert people.count_type("Person") == 2
    with pytest.raises(SchemaError, match=re.escape("'Person[email]' does not exist")):
        people.schema.drop_index("Person[email]")


def test_lookup_by_key(people):
    people.schema.create_index("Person", ["email"], unique=True)
    people.schema.create_index("Person", ["first", "last"])
    ann = _save_person(people, email="a@x", first="Ann", last="Lee")
    found = people.lookup_by_key("Person", ["email"], ["a@x"])
    assert found.get_rid() == ann.get_rid()
    assert found.get("first") == "Ann"
    with pytest.raises(AttributeError):
        found.set("first", "X")  # immutable, like every looked-up record
    assert people.lookup_by_key("Person", "email", "a@x") == ann
    assert people.lookup_by_key("Person", ["first", "last"], ["Ann", "Lee"]) == ann
    assert people.lookup_by_key("Person", ["email"], ["zz@x"]) is None
    assert people.lookup_by_key("Person", ["first", "last"], ["Ann", "Kim"]) is None


def test_lookup_by_key_needs_an_index(people):
    _save_person(people, email="a@x", first="Ann", last="Lee")
    people.schema.create_index("Person", ["first", "last"])
    for keys in (["email"], ["first"], ["last", "first"]):
        with pytest.raises(SchemaError) as err:
            people.lookup_by_key("Person", keys, ["x"] * len(keys))
        assert f"Person[{','.join(keys)}]" in str(err.value)
        assert "create_index" in str(err.value)
    with pytest.raises(SchemaError, match="'Nope' does not exist"):
        people.lookup_by_key("Nope", ["email"], ["a@x"])
    with pytest.raises(ValueError, match="2 keys but 1 values"):
        people.lookup_by_key("Person", ["first", "last"], ["Ann"])


def test_lookup_by_key_on_typed_values(db):
    db.schema.create_document_type("E")
    db.schema.create_property("E", "day", "DATE")
    db.schema.create_property("E", "at", "DATETIME")
    db.schema.create_property("E", "amount", "DECIMAL")
    for name in ("day", "at", "amount"):
        db.schema.create_index("E", [name], unique=True)
    aware = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with db.transaction():
        rid = (
            db.new_document("E")
            .set("day", dt.date(2024, 5, 1))
            .set("at", aware)
            .set("amount", Decimal("1.10"))
            .save()
            .get_rid()
        )
    assert db.lookup_by_key("E", "day", dt.date(2024, 5, 1)).get_rid() == rid
    assert db.lookup_by_key("E", "at", aware).get_rid() == rid
    same_instant = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert db.lookup_by_key("E", "at", same_instant).get_rid() == rid
    assert db.lookup_by_key("E", "amount", Decimal("1.1")).get_rid() == rid
    with pytest.raises(DuplicatedKeyError, match="E\\[amount\\]"):
        with db.transaction():
            db.new_document("E").set("amount", Decimal("1.100")).save()


# --- persistence and transactions -------------------------------------------------------------------


def test_schema_persists_across_reopen(db, snapshot, reopen):
    db.schema.create_vertex_type("Animal")
    db.schema.create_vertex_type("Dog", supertypes=["Animal"])
    db.schema.create_edge_type("Chases")
    db.schema.create_document_type("Log")
    db.schema.create_property("Animal", "name", "STRING", mandatory=True, notnull=True)
    db.schema.create_property("Animal", "legs", "INTEGER", min=0, max=8, default=4)
    db.schema.create_property("Animal", "chip", "LONG", readonly=True)
    db.schema.create_property("Dog", "code", "STRING", regexp="D-[0-9]+")
    db.schema.create_property("Log", "blob", "BINARY", default=b"\x00\xff")
    db.schema.create_property("Log", "price", "DECIMAL", default=Decimal("1.10"))
    db.schema.create_property("Log", "day", "DATE", default=dt.date(2020, 2, 29), max="2030-01-01")
    db.schema.create_property("Log", "items", "LIST", of_type="STRING")
    db.schema.create_property("Log", "zero", "INTEGER", min=0, default=0)
    db.schema.create_property("Log", "flag", "BOOLEAN", default=False)
    db.schema.create_index("Animal", ["name"], unique=True)
    db.schema.create_index("Dog", ["code", "legs"])
    with db.transaction():
        rex = db.new_vertex("Dog").set("name", "rex").set("code", "D-1").save()
    before = snapshot(db)
    db = reopen(db)
    assert snapshot(db) == before
    assert db.schema.get_type("Dog").supertypes == ["Animal"]
    assert db.count_type("Animal") == 1
    # ... and everything is still enforced.
    with pytest.raises(ValidationError, match="'Dog.name' is mandatory"):
        with db.transaction():
            db.new_vertex("Dog").save()
    with pytest.raises(ValidationError, match="D-\\[0-9\\]\\+"):
        with db.transaction():
            db.new_vertex("Dog").set("name", "x").set("code", "E-1").save()
    with pytest.raises(ValidationError, match="'Animal.legs' is above the maximum 8"):
        with db.transaction():
            db.new_vertex("Animal").set("name", "x").set("legs", 9).save()
    with pytest.raises(DuplicatedKeyError, match=re.escape(rex.get_rid())):
        with db.transaction():
            db.new_vertex("Animal").set("name", "rex").save()
    with pytest.raises(ValidationError, match="'Log.day' is above the maximum"):
        with db.transaction():
            db.new_document("Log").set("day", dt.date(2031, 1, 1)).save()
    with pytest.raises(ValidationError, match="'Log.items' is declared LIST OF STRING"):
        with db.transaction():
            db.new_document("Log").set("items", ["a", 1]).save()
    with db.transaction():
        log = db.new_document("Log").save()
        animal = db.new_vertex("Animal").set("name", "cat").save()
    assert log.to_dict() == {
        "blob": b"\x00\xff",
        "price": Decimal("1.10"),
        "day": dt.date(2020, 2, 29),
        "zero": 0,
        "flag": False,
    }
    with pytest.raises(ValidationError, match="'Log.zero' is below the minimum 0"):
        with db.transaction():
            db.new_document("Log").set("zero", -1).save()
    assert str(db.lookup_by_rid(log.get_rid()).get("price")) == "1.10"
    assert db.lookup_by_rid(animal.get_rid()).get("legs") == 4
    assert db.lookup_by_key("Animal", "name", "rex").get_rid() == rex.get_rid()


def test_mutable_defaults_are_not_shared_between_records(db):
    db.schema.create_document_type("T")
    db.schema.create_property("T", "items", "LIST", default=[1])
    with db.transaction():
        first = db.new_document("T").save()
        first.get("items").append(2)
        second = db.new_document("T").save()
    assert second.get("items") == [1]
    assert db.schema.get_type("T").get_property("items").get_default_value() == [1]


def test_schema_changes_need_no_transaction(db):
    assert db.is_auto_transaction() is False
    db.schema.create_vertex_type("V")
    db.schema.create_property("V", "p", "STRING")
    db.schema.create_index("V", ["p"])
    db.schema.drop_index("V[p]")
    db.schema.drop_property("V", "p")
    db.schema.drop_type("V")
    assert db.is_transaction_active() is False


def test_schema_changes_in_a_rolled_back_transaction_disappear(db, snapshot, reopen):
    db.schema.create_document_type("Kept")
    db.schema.create_property("Kept", "k", "STRING")
    before = snapshot(db)
    db.begin()
    db.schema.create_vertex_type("Gone")
    db.schema.create_property("Kept", "extra", "INTEGER", mandatory=True)
    db.schema.create_index("Kept", ["k"], unique=True)
    db.new_vertex("Gone").set("x", 1).save()
    assert db.schema.exists_type("Gone") is True
    assert db.count_type("Gone") == 1
    db.rollback()
    assert db.schema.exists_type("Gone") is False
    assert snapshot(db) == before
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.schema.drop_type("Kept")
            db.schema.create_document_type("Other")
            raise RuntimeError("undo")
    assert snapshot(db) == before
    with db.transaction():
        db.new_document("Kept").save()  # no mandatory 'extra' any more
    assert snapshot(reopen(db))["types"] == before["types"]


def test_schema_changes_in_a_committed_transaction_stay(db, reopen):
    with db.transaction():
        db.schema.create_vertex_type("V")
        db.new_vertex("V").set("x", 1).save()
    db = reopen(db)
    assert db.schema.exists_type("V") is True
    assert db.count_type("V") == 1


def test_drop_a_vertex_type_whose_vertices_have_edges(db, snapshot):
    db.schema.create_vertex_type("P")
    db.schema.create_edge_type("E")
    with db.transaction():
        a = db.new_vertex("P").save()
        a.new_edge("E", a)
    before = snapshot(db)
    with pytest.raises(SchemaError) as err:
        db.schema.drop_type("P")
    assert "'P'" in str(err.value) and "edges" in str(err.value)
    assert snapshot(db) == before
    db.schema.drop_type("P", unsafe=True)
    assert db.schema.exists_type("P") is False


# --- declaring a property over records that already hold it ------------------------------------


def _values(db, type_name: str, name: str) -> list:
    return [r.get(name) for r in db.query("sql", f"SELECT FROM {type_name} ORDER BY @rid")]


def test_declaring_a_property_converts_the_values_already_stored(db):
    """Values stored as another kind are converted, so that filters find them by type."""
    db.schema.create_document_type("Reading")
    db.command("sql", "CREATE DOCUMENT TYPE Late EXTENDS Reading")
    with db.transaction():
        for value in ("12", 7, "-3", None):
            db.new_document("Reading").set("n", value).set("x", value).save()
        db.new_document("Late").set("n", "40").set("day", "2024-02-29").save()
    db.command("sql", "CREATE PROPERTY Reading.n INTEGER")
    assert _values(db, "Reading", "n") == [12, 7, -3, None, 40]
    assert [r.get("n") for r in db.query("sql", "SELECT FROM Reading WHERE n = 12")] == [12]
    assert [r.get("n") for r in db.query("sql", "SELECT FROM Late WHERE n > 5")] == [40]
    db.command("sql", "CREATE PROPERTY Reading.x DOUBLE")
    assert _values(db, "Reading", "x")[:3] == [12.0, 7.0, -3.0]
    assert [type(v) for v in _values(db, "Reading", "x")[:3]] == [float] * 3
    db.schema.create_property("Reading", "day", "DATE")  # an ISO string, as a write converts it
    assert _values(db, "Reading", "day")[-1] == dt.date(2024, 2, 29)
    db.command("sql", "CREATE PROPERTY Reading.unused STRING")  # no record holds it
    assert db.count_type("Reading") == 5


def test_declaring_a_property_some_record_contradicts_is_refused_and_changes_nothing(db):
    db.schema.create_document_type("Reading")
    with db.transaction():
        first = db.new_document("Reading").set("n", "12").save()
        bad = db.new_document("Reading").set("n", "twelve").save()
    with pytest.raises(SchemaError, match=rf"Reading\.n.*INTEGER.*{re.escape(bad.get_rid())}"):
        db.command("sql", "CREATE PROPERTY Reading.n INTEGER")
    assert db.schema.get_type("Reading").get_property("n") is None
    assert _values(db, "Reading", "n") == ["12", "twelve"]  # "12" not converted either
    with pytest.raises(SchemaError, match="twelve"):
        db.schema.create_property("Reading", "n", "LONG")
    with db.transaction():
        bad.modify().set("n", "13").save()
    db.schema.create_property("Reading", "n", "LONG")
    assert _values(db, "Reading", "n") == [12, 13]
    assert db.lookup_by_rid(first.get_rid()).get("n") == 12


def test_retyping_a_property_converts_or_refuses_like_declaring_it(db):
    """The write path's rules: lossless conversions happen, others are errors (an int is not
    silently made text, a fraction not silently dropped)."""
    db.schema.create_document_type("Reading")
    db.schema.create_property("Reading", "n", "INTEGER")
    with db.transaction():
        db.new_document("Reading").set("n", 5).save()
        db.new_document("Reading").set("n", 6).save()
    with pytest.raises(SchemaError, match=r"#\d+:\d+ holds 5"):
        db.command("sql", "ALTER PROPERTY Reading.n TYPE STRING")
    db.command("sql", "ALTER PROPERTY Reading.n TYPE DOUBLE")
    assert _values(db, "Reading", "n") == [5.0, 6.0]
    with db.transaction():
        db.new_document("Reading").set("n", 6.5).save()
    with pytest.raises(SchemaError, match="6.5"):
        db.command("sql", "ALTER PROPERTY Reading.n TYPE INTEGER")
    assert db.schema.get_type("Reading").get_property("n").get_type() == "DOUBLE"
    assert _values(db, "Reading", "n") == [5.0, 6.0, 6.5]
