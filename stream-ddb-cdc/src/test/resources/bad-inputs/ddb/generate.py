"""Regenerates the DynamoDB Streams bad-input corpus (python3 generate.py); expected outcomes: manifest.json."""
import copy, json

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-05-01T00:00:00.000"
ARN2 = "arn:aws:dynamodb:us-east-1:123456789012:table/Invoices/stream/2024-05-02T00:00:00.000"
SECRET = "SSN-111-22-3333"

def keys(c="cust-1", o=1):
    return {"customerId": {"S": c}, "orderId": {"N": str(o)}}

def image(c="cust-1", o=1, **extra):
    img = keys(c, o)
    img.update({"status": {"S": "NEW"}, "total": {"N": "12.50"}, "note": {"S": "call " + SECRET}})
    img.update(extra)
    return img

def record(i, name="INSERT", view="NEW_AND_OLD_IMAGES", new=None, old=None, k=None, arn=ARN):
    r = {
        "eventID": "%032x" % (0xabc000 + i),
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1714564800 + i,
            "Keys": k if k is not None else keys(o=i + 1),
            "SequenceNumber": str(300000000000000000000 + i),
            "SizeBytes": 120,
            "StreamViewType": view,
        },
        "eventSourceARN": arn,
    }
    if new is not None:
        r["dynamodb"]["NewImage"] = new
    if old is not None:
        r["dynamodb"]["OldImage"] = old
    return r

def write(name, records):
    with open(name, "w") as f:
        json.dump({"Records": records}, f, indent=2)
        f.write("\n")

def deep(levels, leaf):
    v = leaf
    for d in range(levels):
        v = {"M": {"level%d" % (levels - d): v}} if d % 2 == 0 else {"L": [v, {"N": str(d)}]}
    return v

every_type = image(o=1,
    s={"S": "h\u00e9llo \"q\" \\ \u2603"}, emptyS={"S": ""}, n38={"N": "12345678901234567890123456789012345678"},
    nTiny={"N": "-1E-130"}, nHuge={"N": "9.9999999999999999999999999999999999999E+125"}, b={"B": "AAEC//4="},
    yes={"BOOL": True}, nothing={"NULL": True}, ss={"SS": ["a", "b"]}, ns={"NS": ["1", "2.5"]},
    bs={"BS": ["AAE=", "//8="]}, emptyL={"L": []}, emptyM={"M": {}},
    deep=deep(32, {"S": "bottom " + SECRET}))
write("all-attribute-types-deep-nesting.json", [
    record(0, new=every_type, k=keys(o=1)),
    record(1, name="MODIFY", new=image(o=1, status={"S": "PAID"}), old=every_type, k=keys(o=1)),
    record(2, name="REMOVE", old=image(o=1, status={"S": "PAID"}), k=keys(o=1)),
])
write("missing-new-image.json", [
    record(0, view="NEW_IMAGE", new=image(o=1)),
    record(1, view="NEW_IMAGE"),
    record(2, view="NEW_IMAGE", new=image(o=3)),
])
write("missing-old-image.json", [record(0, name="MODIFY", new=image(o=1))])
write("keys-only-stream-image-needed.json", [record(0, view="KEYS_ONLY")])
write("new-image-on-remove.json", [record(0, name="REMOVE", new=image(o=1), old=image(o=1))])
write("old-image-on-insert.json", [record(0, name="INSERT", new=image(o=1), old=image(o=1))])
r = record(0, new=image(o=1)); r["eventName"] = None
write("null-event-name.json", [r])
write("unknown-event-name.json", [record(0, name="UPSERT", new=image(o=1))])
r = record(0, new=image(o=1)); r["dynamodb"]["Keys"] = None
write("null-keys.json", [r])
r = record(0, new=image(o=1)); r["dynamodb"]["StreamViewType"] = None
write("null-stream-view-type.json", [r])
r = record(0, new=image(o=1)); r["dynamodb"]["SequenceNumber"] = None
write("null-sequence-number.json", [r])
r = record(0, new=image(o=1)); r["dynamodb"] = None
write("null-dynamodb.json", [r])
write("null-attribute-value.json", [record(0, new=image(o=1, note=None))])
write("empty-string-set.json", [record(0, new=image(o=1, tags={"SS": []}))])
write("type-mismatch.json", [record(0, new=image(o=1, total={"S": "twelve " + SECRET}))])
write("key-type-mismatch.json", [record(0, new=image(o=1, orderId={"S": "one"}), k={"customerId": {"S": "cust-1"}, "orderId": {"S": "one"}})])
write("invalid-binary-base64.json", [record(0, new=image(o=1, b={"B": "%%%"}))])
write("two-types-in-one-value.json", [record(0, new=image(o=1, status={"S": "NEW", "N": "1"}))])
r = record(0, new=image(o=1))
for f in ("eventID", "eventVersion", "eventSource", "awsRegion", "eventSourceARN"):
    r[f] = None
for f in ("ApproximateCreationDateTime", "SizeBytes"):
    r["dynamodb"][f] = None
write("null-optional-fields.json", [r])
with open("null-record.json", "w") as f:
    f.write('{"Records": [null]}\n')
with open("null-records.json", "w") as f:
    f.write('{"Records": null}\n')
write("two-streams.json", [record(0, new=image(o=1)), record(1, new=image(o=2), arn=ARN2)])
big = image(o=1, note={"S": "x" * (399 * 1024)})
write("max-size-item.json", [record(0, new=big)])
# A numeric bean attribute (Order.version, a Long) holding personal data as a string: the mapping error must not
# quote it.
write("number-attribute-holds-personal-data.json", [record(0, new=image(o=1, version={"S": SECRET}))])
