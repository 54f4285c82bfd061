import json
from argparse import ArgumentParser
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from uploads.aws import alarms, clients, provisioning


class Command(BaseCommand):
    help = (
        "Create or update the DynamoDB table and S3 buckets, throttle the guest API once deployed, "
        "raise alarms to the operator's e-mail, and write the functions' IAM policies."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--table", default=settings.DYNAMODB_TABLE)
        parser.add_argument("--photo-bucket", required=True, help="private bucket for the photos")
        parser.add_argument("--site-bucket", required=True, help="public bucket for the static guest page")
        parser.add_argument("--deploy-bucket", required=True, help="private bucket for Zappa's code and secrets")
        parser.add_argument("--dashboard-origin", action="append", default=[], help="origin allowed to download")
        parser.add_argument(
            "--guest-origin",
            action="append",
            default=[],
            help="origin of the guest page, allowed to upload (default: PHOTOSHARE_CORS_ORIGINS, else the site bucket)",
        )
        parser.add_argument(
            "--alarm-email", default=settings.ALARM_EMAIL, help="who hears the alarms (default: PHOTOSHARE_ALARM_EMAIL)"
        )
        parser.add_argument("--policy-dir", default="iam", help="where to write the IAM policy documents")

    def handle(
        self,
        *args: str,
        table: str,
        photo_bucket: str,
        site_bucket: str,
        deploy_bucket: str,
        dashboard_origin: list[str],
        guest_origin: list[str],
        alarm_email: str,
        policy_dir: str,
        **options: object,
    ) -> None:
        region, account = provisioning.caller_region_and_account()
        names = provisioning.Names(
            region=region,
            account=account,
            table=table,
            photo_bucket=photo_bucket,
            site_bucket=site_bucket,
            deploy_bucket=deploy_bucket,
        )
        s3 = clients.s3()
        self.stdout.write(f"table {names.table}: {provisioning.ensure_table(clients.dynamodb(), names)}")
        guest_origins = guest_origin or settings.GUEST_API_CORS_ORIGINS or [names.site_url]
        photos = provisioning.ensure_photo_bucket(s3, names, dashboard_origin, guest_origins)
        self.stdout.write(
            f"photo bucket {names.photo_bucket} (private; uploads from {', '.join(guest_origins)}): {photos}"
        )
        site = provisioning.ensure_site_bucket(s3, names)
        self.stdout.write(f"guest site bucket {names.site_bucket} (public, {names.site_url}): {site}")
        deploys = provisioning.ensure_deploy_bucket(s3, names)
        self.stdout.write(
            f"deploy bucket {names.deploy_bucket} (private; secrets: {names.dashboard_secrets}): {deploys}"
        )
        throttle = provisioning.throttle_guest_api(provisioning.apigateway(), names)
        self.stdout.write(f"guest API {names.guest_api} (stage {provisioning.GUEST_STAGE}) throttle: {throttle}")
        self._raise_alarms(names, alarm_email)
        self._write_policies(Path(policy_dir), names)

    def _raise_alarms(self, names: provisioning.Names, email: str) -> None:
        topic, subscription = alarms.ensure_alarm_topic(alarms.sns(), names, email)
        self.stdout.write(f"alarm topic {alarms.topic_name(names)}: {subscription}")
        for name in alarms.ensure_alarms(alarms.cloudwatch(), names, topic):
            self.stdout.write(f"alarm {name} -> {alarms.topic_name(names)}")

    def _write_policies(self, folder: Path, names: provisioning.Names) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        documents = {f"{names.project}-{fn}.json": doc for fn, doc in provisioning.function_policies(names).items()}
        documents["lambda-trust.json"] = provisioning.LAMBDA_TRUST_POLICY
        for filename, document in documents.items():
            (folder / filename).write_text(json.dumps(document, indent=2) + "\n")
            self.stdout.write(f"wrote {folder / filename}")
