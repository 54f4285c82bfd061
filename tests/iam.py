"""A small IAM evaluator for tests: record every AWS call the code makes, say which IAM actions on
which resources each one needs, and check them against our policy documents.

Calls are recorded on every botocore client created while `recording()` is active (our cached
clients, django-storages' own, Zappa's), at `provide-client-params`, which real requests and
presigned URLs both pass through: a link the browser follows is authorised as its signer.
"""

import fnmatch
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from botocore.awsrequest import AWSResponse
from botocore.client import ClientCreator

from tests.aws import forget_clients
from uploads import lambda_handler
from uploads.aws import clients, staging

# moto's account.
ACCOUNT = "123456789012"


@dataclass
class Call:
    service: str
    operation: str
    params: dict
    region: str
    path: str = ""
    presigned: bool = False
    status: int | None = None

    def __str__(self) -> str:
        how = "presigned " if self.presigned else ""
        return f"{self.path}: {how}{self.service}.{self.operation} -> {self.status}"


@dataclass(frozen=True)
class Need:
    """One IAM action on one resource that a call needs, with the condition keys the request sets."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


@dataclass
class Calls:
    made: list[Call] = field(default_factory=list)
    path: str = ""
    paused: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def watch(self, client) -> None:
        client.meta.events.register(
            "provide-client-params.*.*", functools.partial(self._record, region=client.meta.region_name)
        )
        client.meta.events.register("after-call.*.*", self._answered)
        if client.meta.service_model.service_name == "lambda":
            # Ahead of moto (which would need docker to run a function): the real client serialises
            # and signs the real request, and the asynchronous invocation is accepted, running nothing.
            client.meta.events.register_first("before-send.lambda.Invoke", _accepted)

    def _record(self, params, model, context, region, **kwargs) -> None:
        if self.paused:
            return
        call = Call(
            model.service_model.service_name,
            model.name,
            dict(params),
            region,
            self.path,
            presigned=bool(context.get("is_presign_request")),
        )
        context["recorded_call"] = call
        with self._lock:
            self.made.append(call)

    @staticmethod
    def _answered(http_response, context, **kwargs) -> None:
        if "recorded_call" in context:
            context["recorded_call"].status = http_response.status_code

    @contextmanager
    def during(self, path: str) -> Iterator[None]:
        """Label the calls made inside with the dashboard path that made them."""
        self.path = path
        try:
            yield
        finally:
            self.path = ""

    @contextmanager
    def setting_up(self) -> Iterator[None]:
        """Calls made here are the test's own (the guest's writes, a deployment's files): not recorded."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False


class _NoBody:
    def stream(self, **kwargs):
        yield b""


def _accepted(request, **kwargs) -> AWSResponse:
    return AWSResponse(request.url, 202, {}, _NoBody())


def _forget_clients() -> None:
    forget_clients()
    clients.lambda_client.cache_clear()
    staging.presigning_client.cache_clear()
    lambda_handler.uploader.cache_clear()


@contextmanager
def recording() -> Iterator[Calls]:
    """Record every call of every client made inside (cached clients are made anew)."""
    calls = Calls()
    create_client = ClientCreator.create_client

    def watched(self, *args, **kwargs):
        client = create_client(self, *args, **kwargs)
        calls.watch(client)
        return client

    _forget_clients()
    with mock.patch.object(ClientCreator, "create_client", watched):
        try:
            yield calls
        finally:
            _forget_clients()


# --- what each call needs ----------------------------------------------------------------------
_TRANSACT_ITEM = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_DYNAMODB_ONE_TABLE = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "DescribeTable"}
_S3_OBJECT = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts",
    "DeleteObject": "s3:DeleteObject",
}
_S3_BUCKET = {
    "ListObjectsV2": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
}
# Versioned reads and deletes are actions of their own.
_S3_VERSIONED = {"s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion"}


def needs(call: Call, account: str = ACCOUNT) -> list[Need]:
    """The IAM actions and resources one call is authorised against; unknown calls fail loudly, so a
    new kind of call cannot slip past the policy check."""
    if call.service == "dynamodb":
        return _dynamodb_needs(call, f"arn:aws:dynamodb:{call.region}:{account}:table/")
    if call.service == "s3":
        return _s3_needs(call)
    if call.service == "lambda" and call.operation == "Invoke":
        name = call.params["FunctionName"]
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{call.region}:{account}:function:{name}"
        qualifier = call.params.get("Qualifier")
        return [Need("lambda:InvokeFunction", f"{arn}:{qualifier}" if qualifier else arn)]
    raise AssertionError(f"tests/iam.py knows no IAM action for {call.service}.{call.operation}: add it")


def _dynamodb_needs(call: Call, tables: str) -> list[Need]:
    op, params = call.operation, call.params
    if op in _DYNAMODB_ONE_TABLE:
        index = f"/index/{params['IndexName']}" if params.get("IndexName") else ""
        return [Need(f"dynamodb:{op}", f"{tables}{params['TableName']}{index}")]
    if op == "TransactWriteItems":
        return [
            Need(f"dynamodb:{_TRANSACT_ITEM[kind]}", f"{tables}{item[kind]['TableName']}")
            for item in params["TransactItems"]
            for kind in item
        ]
    if op == "TransactGetItems":
        return [Need("dynamodb:GetItem", f"{tables}{item['Get']['TableName']}") for item in params["TransactItems"]]
    if op in {"BatchWriteItem", "BatchGetItem"}:
        return [Need(f"dynamodb:{op}", f"{tables}{table}") for table in params["RequestItems"]]
    raise AssertionError(f"tests/iam.py knows no IAM action for dynamodb.{op}: add it")


def _s3_needs(call: Call) -> list[Need]:
    op, params = call.operation, call.params
    bucket = f"arn:aws:s3:::{params['Bucket']}"
    if op in _S3_BUCKET:
        # Listings are authorised with the prefix they ask for (the s3:prefix condition key).
        return [Need(_S3_BUCKET[op], bucket, (("s3:prefix", params.get("Prefix", "")),))]
    if op == "DeleteObjects":
        return [Need(_versioned("s3:DeleteObject", o), f"{bucket}/{o['Key']}") for o in params["Delete"]["Objects"]]
    if op not in _S3_OBJECT:
        raise AssertionError(f"tests/iam.py knows no IAM action for s3.{op}: add it")
    # A conditional write carries s3:if-none-match.
    context = (("s3:if-none-match", params["IfNoneMatch"]),) if "IfNoneMatch" in params else ()
    found = [Need(_versioned(_S3_OBJECT[op], params), f"{bucket}/{params['Key']}", context)]
    if call.status == 404:
        # S3 answers 404 for a missing key only to a caller that may list the bucket; to anyone
        # else it answers 403, so code that tells "absent" from "refused" needs s3:ListBucket too.
        found.append(Need("s3:ListBucket", bucket))
    return found


def _versioned(action: str, params: dict) -> str:
    return _S3_VERSIONED.get(action, action) if params.get("VersionId") else action


# --- the policy side ----------------------------------------------------------------------------
def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _statements(policy: dict) -> list[dict]:
    statements = policy["Statement"]
    for statement in statements:
        unsupported = set(statement) - {"Sid", "Effect", "Action", "Resource", "Condition"}
        assert not unsupported, f"tests/iam.py does not evaluate {unsupported} (statement {statement.get('Sid')})"
    return statements


def _matches(statement: dict, need: Need) -> bool:
    # Actions are case-insensitive in IAM, resources are not; both take * and ? wildcards.
    return (
        any(fnmatch.fnmatch(need.action.lower(), a.lower()) for a in _as_list(statement["Action"]))
        and any(fnmatch.fnmatchcase(need.resource, r) for r in _as_list(statement["Resource"]))
        and _condition_holds(statement.get("Condition", {}), dict(need.context))
    )


# The operators our policies use; a key the request does not set fails them (as in IAM).
_OPERATORS = {"StringEquals": lambda value, pattern: value == pattern, "StringLike": fnmatch.fnmatchcase}


def _condition_holds(condition: dict, context: dict[str, str]) -> bool:
    unsupported = set(condition) - set(_OPERATORS)
    assert not unsupported, f"tests/iam.py does not evaluate the condition operators {unsupported}"
    return all(
        key in context and any(_OPERATORS[operator](context[key], pattern) for pattern in _as_list(patterns))
        for operator, keys in condition.items()
        for key, patterns in keys.items()
    )


def allowed(policy: dict, need: Need) -> bool:
    """IAM's rule: an explicit Deny wins, else some Allow must match, else it is implicitly denied."""
    matching = [s["Effect"] for s in _statements(policy) if _matches(s, need)]
    return "Allow" in matching and "Deny" not in matching


def denied(policy: dict, calls: list[Call]) -> list[str]:
    """Every call that needs something the policy does not allow, with what it needs."""
    return [
        f"{call}: {need.action} on {need.resource}" + (f" with {dict(need.context)}" if need.context else "")
        for call in calls
        for need in needs(call)
        if not allowed(policy, need)
    ]


def unused(policy: dict, calls: list[Call], *, granted_to_the_runtime: tuple[str, ...] = ("Logs",)) -> list[str]:
    """Every (statement, action, resource) the policy allows that no recorded call needed.
    Statements the Lambda runtime uses on the function's behalf (its logs) are left out."""
    used = [need for call in calls for need in needs(call)]
    return [
        f"{statement['Sid']}: {action} on {resource}"
        for statement in _statements(policy)
        if statement["Effect"] == "Allow" and statement["Sid"] not in granted_to_the_runtime
        for action in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
        if not any(_matches({"Action": action, "Resource": resource, **_condition(statement)}, need) for need in used)
    ]


def _condition(statement: dict) -> dict:
    return {"Condition": statement["Condition"]} if "Condition" in statement else {}


def assert_allows_exactly(policy: dict, calls: list[Call]) -> None:
    """Fail listing every call the policy denies and everything it allows that no call used."""
    refused, spare = denied(policy, calls), unused(policy, calls)
    report = ["denied:", *refused] if refused else []
    report += ["allowed but never used:", *spare] if spare else []
    assert not report, "\n".join(report)
