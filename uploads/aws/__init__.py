"""Everything that talks to AWS: boto3 clients, the DynamoDB and S3 stores, presigned links, ZIP exports
built into S3, and provisioning. Nothing outside this package imports boto3."""
