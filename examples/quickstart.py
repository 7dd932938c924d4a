"""Create a database, a vertex type, vertices and an edge; read them back."""

import shutil
import tempfile

import arcadelite as arcadedb

path = tempfile.mkdtemp(prefix="arcadelite-quickstart-")
shutil.rmtree(path)

with arcadedb.create_database(path) as db:
    db.schema.create_vertex_type("Person")
    db.schema.create_edge_type("Knows")
    with db.transaction():
        alice = db.new_vertex("Person").set("name", "Alice").set("age", 31).save()
        bob = db.new_vertex("Person").set("name", "Bob").set("age", 27).save()
        alice.new_edge("Knows", bob, since=2019)

    for person in db.iterate_type("Person"):
        print(person.get_rid(), person.get("name"), person.get("age"))
    friend = db.lookup_by_rid(alice.get_rid()).get_vertices("out", "Knows")[0]
    print("Alice knows", friend.get("name"))
shutil.rmtree(path, ignore_errors=True)
