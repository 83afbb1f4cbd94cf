import base64, hashlib, json, copy

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
SHARD0 = "shardId-000000000000"
SHARD1 = "shardId-000000000001"
BASE = 49590338271490256608559692538361571095921575989136588800

def seq(i): return str(BASE + i)

def record(i, data_bytes, key="order-1", shard=SHARD0, raw_data=None):
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": key,
            "sequenceNumber": seq(i),
            "data": raw_data if raw_data is not None else base64.b64encode(data_bytes).decode(),
            "approximateArrivalTimestamp": 1545084650.987 + i / 1000,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": shard + ":" + seq(i),
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
        "awsRegion": "us-east-1",
        "eventSourceARN": ARN,
    }

def payload(n, secret="SSN-111-22-3333"):
    return json.dumps({"eventId": "e%d" % n, "key": "order-1", "n": n, "secret": secret}, separators=(",", ":")).encode()

def write(name, records):
    with open(name, "w") as f:
        json.dump({"Records": records}, f, indent=2)
        f.write("\n")

# protobuf helpers
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def field(num, wire, payload):
    tag = varint((num << 3) | wire)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload  # varint already encoded

def kpl_body(keys, users):  # users: list of (key_index, data)
    body = b""
    for k in keys:
        body += field(1, 2, k.encode())
    for idx, data in users:
        rec = field(1, 0, varint(idx)) + field(3, 2, data)
        body += field(3, 2, rec)
    return body

MAGIC = bytes([0xF3, 0x89, 0x9A, 0xC2])

def kpl(keys, users):
    body = kpl_body(keys, users)
    return MAGIC + body + hashlib.md5(body).digest()

# 1. mixed batch: good, non-JSON, good
write("non-json.json", [record(0, payload(0)), record(1, b"order 42 for SSN-111-22-3333, not json"), record(2, payload(2))])
# 2. wrong shape: JSON array, and an object whose fields have the wrong types
write("wrong-shape.json", [record(0, b'["SSN-111-22-3333", 1, 2]'), record(1, b'{"eventId":"e1","key":"order-1","n":"SSN-111-22-3333","secret":"x"}')])
# 3. empty data
write("empty-data.json", [record(0, b"")])
# 4. JSON literal null and trailing garbage
write("json-null-and-trailing.json", [record(0, b"null"), record(1, payload(1) + b" SSN-111-22-3333")])
# 5. invalid UTF-8 inside a JSON string
write("invalid-utf8.json", [record(0, b'{"eventId":"e0","key":"order-1","n":0,"secret":"\xff\xfe SSN"}')])
# 6. invalid base64 (the runtime's deserializer rejects it)
write("invalid-base64.json", [record(0, b"", raw_data="%%%not-base64%%%")])
write("base64-missing-padding.json", [record(0, b"", raw_data="QUJ")])
# 7. 1 MB record (Kinesis' maximum data size), valid JSON
secret = "S" * (1024 * 1024 - len(payload(0, secret="")))
big = payload(0, secret=secret)
assert len(big) == 1024 * 1024, len(big)
write("one-megabyte-record.json", [record(0, big)])
# 8. KPL aggregates
good = kpl(["order-1", "order-2"], [(0, payload(0)), (1, payload(1)), (0, payload(2))])
write("kpl-valid-then-truncated.json", [record(0, good), record(1, good[:len(good) - 7])])
body = kpl_body(["order-1"], [(0, payload(0)), (0, payload(1))])
trailer = bytearray(hashlib.md5(body).digest()); trailer[3] ^= 0xFF
write("kpl-md5-corrupt.json", [record(0, MAGIC + body + bytes(trailer))])
write("kpl-partition-key-index-out-of-range.json", [record(0, kpl(["order-1"], [(0, payload(0)), (5, payload(1))]))])
write("kpl-empty-aggregate.json", [record(0, kpl(["order-1"], []))])
# a record that starts with the magic but is only 10 bytes long: not an aggregate, a plain (non-JSON) record
write("kpl-magic-only.json", [record(0, MAGIC + b"\x00\x01\x02\x03\x04\x05")])
# 9. null and missing fields
def with_null(path, value=None, delete=False):
    r = record(0, payload(0))
    obj = r
    for p in path[:-1]:
        obj = obj[p]
    if delete:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value
    return r
write("null-partition-key.json", [with_null(["kinesis", "partitionKey"])])
write("null-sequence-number.json", [with_null(["kinesis", "sequenceNumber"])])
write("null-data.json", [with_null(["kinesis", "data"])])
write("null-event-id.json", [with_null(["eventID"])])
write("null-event-source-arn.json", [with_null(["eventSourceARN"])])
write("null-kinesis.json", [with_null(["kinesis"])])
write("null-arrival-timestamp.json", [with_null(["kinesis", "approximateArrivalTimestamp"])])
write("missing-optional-fields.json", [with_null(["kinesis", "kinesisSchemaVersion"], delete=True) | {"eventSource": None, "eventVersion": None, "eventName": None, "invokeIdentityArn": None, "awsRegion": None}])
with open("null-record.json", "w") as f:
    f.write('{"Records": [null]}\n')
with open("null-records.json", "w") as f:
    f.write('{"Records": null}\n')
with open("empty-records.json", "w") as f:
    f.write('{"Records": []}\n')
# 10. eventID without shard
r = record(0, payload(0)); r["eventID"] = seq(0)
write("event-id-without-shard.json", [r])
# 11. two shards in one event
write("two-shards.json", [record(0, payload(0)), record(1, payload(1), shard=SHARD1)])
