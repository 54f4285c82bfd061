"""CloudWatch alarms on what would hurt an event in progress, all to one SNS topic the operator's e-mail
subscribes to. Used by `manage.py provision_aws`, from the operator's machine; each call replaces what
it finds (put_metric_alarm, create_topic and subscribe are idempotent), so a re-run changes nothing.
"""

from dataclasses import dataclass

import boto3

from uploads.aws.clients import Client
from uploads.aws.provisioning import Names

# Each alarm looks at five minutes: a rush lasts about that long, and an e-mail sooner would not be read
# sooner. A quiet period (no data) is not a failure.
PERIOD_SECONDS = 300
# Share of the guest API's answers that are 5xx. Deliberate 503s (storage busy, try again) count too:
# guests see them as a spinner that retries.
GUEST_API_5XX_RATE = 0.05


@dataclass(frozen=True)
class Alarm:
    name: str
    description: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str = "Sum"
    threshold: float = 1

    def put_request(self, topic_arn: str) -> dict[str, object]:
        """put_metric_alarm's arguments: the topic hears both the alarm and the all-clear."""
        return {
            "AlarmName": self.name,
            "AlarmDescription": self.description,
            "Namespace": self.namespace,
            "MetricName": self.metric,
            "Dimensions": [{"Name": name, "Value": value} for name, value in self.dimensions.items()],
            "Statistic": self.statistic,
            "Period": PERIOD_SECONDS,
            "EvaluationPeriods": 1,
            "Threshold": self.threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [topic_arn],
            "OKActions": [topic_arn],
        }


def alarms(names: Names) -> list[Alarm]:
    guest, dashboard = (
        {"FunctionName": names.function_name("guest")},
        {"FunctionName": names.function_name("dashboard")},
    )
    table = {"TableName": names.table}
    return [
        Alarm(
            f"{names.project}-guest-errors", "The guest function crashed or timed out.", "AWS/Lambda", "Errors", guest
        ),
        Alarm(
            f"{names.project}-guest-throttles",
            "Lambda refused to run the guest function (account concurrency reached): uploads were refused.",
            "AWS/Lambda",
            "Throttles",
            guest,
        ),
        Alarm(
            f"{names.project}-guest-api-5xx",
            f"At least {GUEST_API_5XX_RATE:.0%} of the guest API's answers were server errors.",
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": names.guest_api},
            statistic="Average",
            threshold=GUEST_API_5XX_RATE,
        ),
        # DynamoDB's own ThrottledRequests is counted per operation; these two cover every operation.
        Alarm(
            f"{names.project}-table-read-throttles",
            "DynamoDB throttled reads of the counter table.",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            table,
        ),
        Alarm(
            f"{names.project}-table-write-throttles",
            "DynamoDB throttled writes to the counter table: uploads waited or were refused.",
            "AWS/DynamoDB",
            "WriteThrottleEvents",
            table,
        ),
        Alarm(
            f"{names.project}-dashboard-errors",
            "The dashboard function crashed or timed out (a page, the S3 trigger, a ZIP or a scheduled sweep).",
            "AWS/Lambda",
            "Errors",
            dashboard,
        ),
    ]


def cloudwatch() -> Client:
    return boto3.client("cloudwatch")


def sns() -> Client:
    return boto3.client("sns")


def topic_name(names: Names) -> str:
    return f"{names.project}-alarms"


def ensure_alarm_topic(sns: Client, names: Names, email: str) -> tuple[str, str]:
    """The topic's ARN, and what became of the e-mail's subscription."""
    topic_arn: str = sns.create_topic(Name=topic_name(names))["TopicArn"]
    if not email:
        return topic_arn, "no e-mail subscribed (set PHOTOSHARE_ALARM_EMAIL or --alarm-email)"
    # Subscribing an address again answers its subscription, confirmed or not; it adds none.
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=email)["SubscriptionArn"]
    if subscription == "pending confirmation":
        return topic_arn, f"{email} must follow the link AWS sent it before it hears anything"
    return topic_arn, f"{email} subscribed"


def ensure_alarms(cloudwatch: Client, names: Names, topic_arn: str) -> list[str]:
    """Alarms on metrics nothing reports yet wait (INSUFFICIENT_DATA): no need to deploy first."""
    made = alarms(names)
    for alarm in made:
        cloudwatch.put_metric_alarm(**alarm.put_request(topic_arn))
    return [alarm.name for alarm in made]
