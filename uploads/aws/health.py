"""Whether the dashboard reaches what it serves from on AWS, asked as cheaply as each service allows:
one read of a key no event uses, and HeadBucket. Both are calls its IAM policy already allows for its
pages (GetItem on the table, s3:ListBucket on the photo bucket), so the health check adds no privilege."""

import logging

from botocore.exceptions import BotoCoreError, ClientError

from uploads.aws.clients import Client

logger = logging.getLogger(__name__)

# Sort keys starting with "#" are never a device id, and "#health" is no event's slug: nothing is there.
HEALTH_KEY = {"EventName": {"S": "#health"}, "DeviceID": {"S": "#health"}}


def reachable(dynamodb: Client, table: str, s3: Client, bucket: str) -> bool:
    try:
        dynamodb.get_item(TableName=table, Key=HEALTH_KEY)
        s3.head_bucket(Bucket=bucket)
    except (BotoCoreError, ClientError):
        # The reason goes to the function's log, never to whoever asked.
        logger.warning("health check: the table or the photo bucket is unreachable", exc_info=True)
        return False
    return True
