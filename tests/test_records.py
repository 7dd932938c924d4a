"""Records (API.md §3): Document, Vertex, Edge, their methods, mutability and traversal."""

from __future__ import annotations

import re

import pytest

from arcadelite import (
    RID,
    ArcadeDBError,
    Document,
    Edge,
    RecordNotFoundError,
    SchemaError,
    Vertex,
)


@pytest.fixture
def gdb(db):
    """A database with Person (vertex), Knows and Likes (edges), Note (document)."""
    db.schema.create_vertex_type("Person")
    db.schema.create_vertex_type("City")
    db.schema.create_edge_type("Knows")
    db.schema.create_edge_type("Likes")
    db.schema.create_document_type("Note")
    return db


def _person(db, name, **props):
    with db.transaction():
        vertex = db.new_vertex("Person").set("name", name)
        for key, value in props.items():
            vertex.set(key, value)
        return vertex.save()


# --- properties and identity ---------------------------------------------------------------


def test_new_record_is_mutable_and_unsaved(gdb):
    vertex = gdb.new_vertex("Person")
    assert isinstance(vertex, Vertex)
    assert vertex.get_identity() is None
    assert vertex.get_rid() is None
    assert vertex.get_type_name() == "Person"
    assert vertex.get_property_names() == []
    assert vertex.to_dict() == {}
    assert vertex.to_dict(include_metadata=True) == {"@rid": None, "@type": "Person"}
    assert gdb.count_type("Person") == 0


def test_set_chains_get_reads_and_save_returns_self(gdb):
    vertex = gdb.new_vertex("Person")
    assert vertex.set("name", "Ann").set("age", 30) is vertex
    assert vertex.get("name") == "Ann"
    assert vertex.get("missing") is None
    assert vertex["age"] == 30
    assert vertex["missing"] is None
    assert gdb.count_type("Person") == 0  # set() does not persist
    with gdb.transaction():
        assert vertex.save() is vertex
    assert gdb.count_type("Person") == 1


def test_identity_after_save(gdb):
    vertex = _person(gdb, "Ann")
    rid = vertex.get_identity()
    assert isinstance(rid, RID)
    assert re.fullmatch(r"#\d+:\d+", vertex.get_rid())
    assert str(rid) == vertex.get_rid()
    assert rid == RID(rid.bucket_id, rid.position)
    assert rid == vertex.get_rid()  # an RID equals its text
    assert hash(rid) == hash(RID(rid.bucket_id, rid.position))
    assert repr(vertex) == f"<Vertex rid={vertex.get_rid()} type=Person>"


def test_records_of_one_type_share_the_bucket_and_get_increasing_positions(gdb):
    rids = [_person(gdb, f"p{i}").get_identity() for i in range(3)]
    assert len({r.bucket_id for r in rids}) == 1
    assert [r.position for r in rids] == sorted(r.position for r in rids)
    assert len({r.position for r in rids}) == 3


def test_has_property_and_property_names_are_user_properties_only(gdb):
    vertex = _person(gdb, "Ann", age=30)
    assert vertex.has_property("name") is True
    assert vertex.has_property("age") is True
    assert vertex.has_property("@rid") is False
    assert vertex.has_property("nope") is False
    assert vertex.get_property_names() == ["name", "age"]
    loaded = gdb.lookup_by_rid(vertex.get_rid())
    assert sorted(loaded.get_property_names()) == ["age", "name"]


def test_to_dict_with_and_without_metadata(gdb):
    vertex = _person(gdb, "Ann", age=30)
    loaded = gdb.lookup_by_rid(vertex.get_rid())
    assert loaded.to_dict() == {"name": "Ann", "age": 30}
    assert loaded.to_dict(include_metadata=True) == {
        "name": "Ann",
        "age": 30,
        "@rid": vertex.get_rid(),
        "@type": "Person",
    }
    data = loaded.to_dict()
    data["name"] = "changed"  # a copy, not the record's own state
    assert loaded.get("name") == "Ann"


def test_repr_of_each_kind(gdb):
    ann = _person(gdb, "Ann")
    with gdb.transaction():
        note = gdb.new_document("Note").set("t", 1).save()
        edge = ann.new_edge("Knows", ann)
    assert repr(note) == f"<Document rid={note.get_rid()} type=Note>"
    assert repr(edge) == f"<Edge rid={edge.get_rid()} type=Knows>"
    assert repr(gdb.lookup_by_rid(ann.get_rid())) == f"<Vertex rid={ann.get_rid()} type=Person>"


def test_records_compare_equal_by_rid(gdb):
    ann = _person(gdb, "Ann")
    bob = _person(gdb, "Bob")
    loaded = gdb.lookup_by_rid(ann.get_rid())
    assert loaded == ann
    assert hash(loaded) == hash(ann)
    assert loaded != bob
    assert {ann, loaded, bob} == {ann, bob}
    first, second = gdb.new_vertex("Person"), gdb.new_vertex("Person")
    assert first == first
    assert first != second  # unsaved records are only equal to themselves


# --- update and delete ------------------------------------------------------------------------


def test_save_twice_updates_in_place(gdb):
    vertex = _person(gdb, "Ann", age=30)
    rid = vertex.get_rid()
    with gdb.transaction():
        vertex.set("age", 31).set("city", "Oslo").save()
    assert vertex.get_rid() == rid
    assert gdb.count_type("Person") == 1
    assert gdb.lookup_by_rid(rid).to_dict() == {"name": "Ann", "age": 31, "city": "Oslo"}


def test_modify_gives_a_mutable_copy_and_save_updates(gdb):
    rid = _person(gdb, "Ann", tags=["a"]).get_rid()
    loaded = gdb.lookup_by_rid(rid)
    copy = loaded.modify()
    assert type(copy) is Vertex
    assert copy.get_rid() == rid
    assert copy == loaded
    copy.set("name", "Anna")
    copy.get("tags").append("b")
    assert loaded.get("name") == "Ann"  # the original is untouched
    assert loaded.get("tags") == ["a"]
    with gdb.transaction():
        assert copy.save() is copy
    assert gdb.lookup_by_rid(rid).to_dict() == {"name": "Anna", "tags": ["a", "b"]}
    assert gdb.count_type("Person") == 1


def test_looked_up_records_are_immutable(gdb):
    rid = _person(gdb, "Ann").get_rid()
    loaded = gdb.lookup_by_rid(rid)
    with pytest.raises(AttributeError) as err:
        loaded.set("name", "X")
    assert "modify()" in str(err.value)
    assert "name" in str(err.value)
    with pytest.raises(AttributeError, match=r"modify\(\)"):
        loaded.save()
    for record in gdb.iterate_type("Person"):
        with pytest.raises(AttributeError, match=r"modify\(\)"):
            record.set("name", "X")
    assert loaded.get("name") == "Ann"
    assert gdb.lookup_by_rid(rid).get("name") == "Ann"


def test_delete(gdb):
    ann = _person(gdb, "Ann")
    bob = _person(gdb, "Bob")
    with gdb.transaction():
        gdb.lookup_by_rid(ann.get_rid()).delete()  # immutable records can be deleted
    assert gdb.count_type("Person") == 1
    with pytest.raises(RecordNotFoundError, match=re.escape(ann.get_rid())):
        gdb.lookup_by_rid(ann.get_rid())
    assert gdb.lookup_by_rid(bob.get_rid()).get("name") == "Bob"


def test_delete_twice_is_record_not_found(gdb):
    ann = _person(gdb, "Ann")
    with gdb.transaction():
        ann.delete()
    with pytest.raises(RecordNotFoundError, match=re.escape(ann.get_rid())):
        with gdb.transaction():
            ann.delete()


def test_delete_an_unsaved_record_is_an_error(gdb):
    with pytest.raises(ArcadeDBError, match="never saved"):
        gdb.new_vertex("Person").delete()


def test_update_of_a_deleted_record_is_record_not_found(gdb):
    ann = _person(gdb, "Ann")
    with gdb.transaction():
        gdb.lookup_by_rid(ann.get_rid()).delete()
    with pytest.raises(RecordNotFoundError, match=re.escape(ann.get_rid())):
        with gdb.transaction():
            ann.set("name", "ghost").save()
    assert gdb.count_type("Person") == 0


# --- edges ------------------------------------------------------------------------------------


def test_new_edge_on_a_looked_up_vertex(gdb):
    ann = _person(gdb, "Ann")
    bob = _person(gdb, "Bob")
    immutable = gdb.lookup_by_rid(ann.get_rid())
    with gdb.transaction():
        edge = immutable.new_edge("Knows", bob, since=2019)
    assert isinstance(edge, Edge)
    assert re.fullmatch(r"#\d+:\d+", edge.get_rid())
    assert edge.get_type_name() == "Knows"
    assert edge.get("since") == 2019
    assert edge.get_out() == ann
    assert edge.get_in() == bob
    assert isinstance(edge.get_out(), Vertex)
    assert edge.get_out().get("name") == "Ann"
    assert edge.get_in().get("name") == "Bob"
    stored = gdb.lookup_by_rid(edge.get_rid())
    assert isinstance(stored, Edge)
    assert stored.to_dict() == {"since": 2019}
    assert stored.to_dict(include_metadata=True) == {
        "since": 2019,
        "@rid": edge.get_rid(),
        "@type": "Knows",
        "@out": ann.get_rid(),
        "@in": bob.get_rid(),
    }
    assert gdb.count_type("Knows") == 1


def test_new_edge_accepts_a_rid_or_its_text_as_target(gdb):
    ann, bob = _person(gdb, "Ann"), _person(gdb, "Bob")
    with gdb.transaction():
        by_rid = ann.new_edge("Knows", bob.get_identity())
        by_text = ann.new_edge("Knows", bob.get_rid())
    assert by_rid.get_in() == bob
    assert by_text.get_in() == bob


def _small_graph(db):
    ann, bob, cid = _person(db, "Ann"), _person(db, "Bob"), _person(db, "Cid")
    with db.transaction():
        oslo = db.new_vertex("City").set("name", "Oslo").save()
        ann_bob = ann.new_edge("Knows", bob)
        cid_ann = cid.new_edge("Knows", ann)
        ann_oslo = ann.new_edge("Likes", oslo)
    return ann, bob, cid, oslo, ann_bob, cid_ann, ann_oslo


def _rids(records):
    return sorted(r.get_rid() for r in records)


def test_get_edges_by_direction_and_label(gdb):
    ann, bob, cid, oslo, ann_bob, cid_ann, ann_oslo = _small_graph(gdb)
    assert _rids(ann.get_edges()) == _rids([ann_bob, cid_ann, ann_oslo])
    assert _rids(ann.get_edges("both")) == _rids([ann_bob, cid_ann, ann_oslo])
    assert _rids(ann.get_edges("out")) == _rids([ann_bob, ann_oslo])
    assert _rids(ann.get_edges("in")) == _rids([cid_ann])
    assert _rids(ann.get_edges("out", "Knows")) == _rids([ann_bob])
    assert _rids(ann.get_edges("out", "Likes")) == _rids([ann_oslo])
    assert _rids(ann.get_edges("both", "Knows", "Likes")) == _rids([ann_bob, cid_ann, ann_oslo])
    assert _rids(ann.get_edges("in", "Likes")) == []
    assert _rids(oslo.get_edges("in")) == _rids([ann_oslo])
    assert all(isinstance(e, Edge) for e in ann.get_edges())


def test_get_vertices_by_direction_and_label(gdb):
    ann, bob, cid, oslo, *_ = _small_graph(gdb)
    assert _rids(ann.get_vertices()) == _rids([bob, cid, oslo])
    assert _rids(ann.get_vertices("out")) == _rids([bob, oslo])
    assert _rids(ann.get_vertices("in")) == _rids([cid])
    assert _rids(ann.get_vertices("out", "Knows")) == _rids([bob])
    assert _rids(ann.get_vertices("both", "Likes")) == _rids([oslo])
    assert [v.get("name") for v in ann.get_vertices("in", "Knows")] == ["Cid"]
    assert _rids(bob.get_vertices("out")) == []


def test_traversal_with_a_bad_direction_or_label(gdb):
    ann, *_ = _small_graph(gdb)
    with pytest.raises(ValueError, match="sideways"):
        ann.get_edges("sideways")
    with pytest.raises(ValueError, match="sideways"):
        ann.get_vertices("sideways")
    with pytest.raises(SchemaError, match="Person"):
        ann.get_edges("out", "Person")  # a vertex type is no edge label


def test_edges_of_an_unsaved_vertex_are_empty(gdb):
    assert gdb.new_vertex("Person").get_edges() == []
    assert gdb.new_vertex("Person").get_vertices() == []


def test_deleting_a_vertex_deletes_its_edges_in_both_directions(gdb):
    ann, bob, cid, oslo, ann_bob, cid_ann, ann_oslo = _small_graph(gdb)
    with gdb.transaction():
        bob.new_edge("Knows", cid)
    with gdb.transaction():
        ann.delete()
    assert gdb.count_type("Person") == 2
    assert gdb.count_type("City") == 1
    assert gdb.count_type("Knows") == 1
    assert gdb.count_type("Likes") == 0
    for edge in (ann_bob, cid_ann, ann_oslo):
        with pytest.raises(RecordNotFoundError):
            gdb.lookup_by_rid(edge.get_rid())
    assert [e.get_in() for e in bob.get_edges("out")] == [cid]
    assert oslo.get_edges() == []
    assert _rids(cid.get_vertices()) == _rids([bob])


def test_deleting_an_edge_leaves_its_vertices(gdb):
    ann, bob, cid, oslo, ann_bob, cid_ann, ann_oslo = _small_graph(gdb)
    with gdb.transaction():
        ann_bob.delete()
    assert gdb.count_type("Person") == 3
    assert gdb.count_type("Knows") == 1
    assert gdb.lookup_by_rid(bob.get_rid()).get("name") == "Bob"
    assert bob.get_edges() == []
    assert _rids(ann.get_edges("out")) == _rids([ann_oslo])


def test_new_edge_errors_change_nothing(gdb, snapshot):
    ann = _person(gdb, "Ann")
    with gdb.transaction():
        note = gdb.new_document("Note").save()
    ghost = _person(gdb, "Ghost")
    with gdb.transaction():
        gdb.lookup_by_rid(ghost.get_rid()).delete()
    before = snapshot(gdb)
    cases = [
        (("Nope", ann), SchemaError, "Nope"),
        (("Person", ann), SchemaError, "Person"),
        (("Knows", note), ArcadeDBError, note.get_rid()),
        (("Knows", gdb.new_vertex("Person")), ArcadeDBError, "save it first"),
        (("Knows", "not a rid"), ArcadeDBError, "not a rid"),
        (("Knows", ghost), RecordNotFoundError, ghost.get_rid()),
    ]
    for args, error, culprit in cases:
        with pytest.raises(error) as err:
            with gdb.transaction():
                ann.new_edge(*args)
        assert culprit in str(err.value), args
    with pytest.raises(RecordNotFoundError, match=re.escape(ghost.get_rid())):
        with gdb.transaction():
            ghost.new_edge("Knows", ann)  # from a deleted vertex
    with pytest.raises(ArcadeDBError, match="Save the vertex"):
        with gdb.transaction():
            gdb.new_vertex("Person").new_edge("Knows", ann)
    assert snapshot(gdb) == before


def test_documents_and_edges_have_no_new_edge(gdb):
    assert not hasattr(Document, "new_edge")
    assert not hasattr(Edge, "new_edge")


# --- lookup_by_rid ----------------------------------------------------------------------------


def test_lookup_by_rid_accepts_text_rid_and_record(gdb):
    ann = _person(gdb, "Ann")
    for key in (ann.get_rid(), ann.get_identity(), ann, f"  {ann.get_rid()} "):
        found = gdb.lookup_by_rid(key)
        assert isinstance(found, Vertex)
        assert found.get_rid() == ann.get_rid()
        assert found.get("name") == "Ann"


@pytest.mark.parametrize("bad", ["1:2", "#a:b", "", "#1", "#1:2:3", "#-1:0", 12, None, 1.5])
def test_lookup_by_rid_malformed(gdb, bad):
    with pytest.raises(ArcadeDBError) as err:
        gdb.lookup_by_rid(bad)
    assert not isinstance(err.value, RecordNotFoundError)
    assert (repr(bad) in str(err.value)) or (type(bad).__name__ in str(err.value))


def test_lookup_by_rid_missing(gdb):
    ann = _person(gdb, "Ann")
    bucket = ann.get_identity().bucket_id
    for missing in (f"#{bucket}:999999", "#999:0"):
        with pytest.raises(RecordNotFoundError) as err:
            gdb.lookup_by_rid(missing)
        assert missing in str(err.value)
        assert isinstance(err.value, ArcadeDBError)


# --- storage: RIDs and adjacency ----------------------------------------------------------------


def test_rids_are_stable_across_reopen(gdb, reopen):
    ann, bob, cid, oslo, ann_bob, cid_ann, ann_oslo = _small_graph(gdb)
    expected = {
        r.get_rid(): r.get_type_name() for r in (ann, bob, cid, oslo, ann_bob, cid_ann, ann_oslo)
    }
    db = reopen(gdb)
    assert {rid: db.lookup_by_rid(rid).get_type_name() for rid in expected} == expected
    assert db.lookup_by_rid(ann.get_rid()).get("name") == "Ann"
    edge = db.lookup_by_rid(ann_bob.get_rid())
    assert (edge.get_out().get_rid(), edge.get_in().get_rid()) == (ann.get_rid(), bob.get_rid())


def test_rids_are_never_reused_after_delete(gdb, reopen):
    first, last = _person(gdb, "first"), _person(gdb, "last")
    with gdb.transaction():
        gdb.lookup_by_rid(last.get_rid()).delete()  # the highest position
    replacement = _person(gdb, "new")
    assert replacement.get_identity().position > last.get_identity().position
    with gdb.transaction():
        gdb.lookup_by_rid(replacement.get_rid()).delete()
    db = reopen(gdb)
    after_reopen = _person(db, "after")
    assert after_reopen.get_identity().position > replacement.get_identity().position
    used = {first.get_rid(), last.get_rid(), replacement.get_rid()}
    assert after_reopen.get_rid() not in used
    with pytest.raises(RecordNotFoundError):
        db.lookup_by_rid(last.get_rid())


def test_the_edges_of_a_vertex_are_index_seeks(gdb):
    storage = gdb._storage
    table = storage.catalog.types["Knows"].table
    for column in ("out_rid", "in_rid"):
        plan = storage.explain(
            storage.session(),
            f"SELECT pos, body, tags, out_rid, in_rid FROM {table} WHERE {column} = ?",
            (1,),
        )
        assert len(plan) == 1 and plan[0].startswith(f"SEARCH {table} USING"), plan
        neighbours = "in_rid" if column == "out_rid" else "out_rid"
        plan = storage.explain(
            storage.session(), f"SELECT {neighbours} FROM {table} WHERE {column} = ?", (1,)
        )
        assert plan[0].startswith(f"SEARCH {table} USING COVERING INDEX"), plan
