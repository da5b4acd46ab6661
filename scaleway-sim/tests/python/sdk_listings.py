"""Scaleway's official Python SDK and boto3 against the simulator.

Run by `scaleway-sim/tests/python_sdk.rs` in a throwaway virtual environment. Reads the
simulator's address and credentials from the environment, calls every listing the
simulator serves through the SDK's `list_*_all` helpers (which follow every page and parse
every item into the SDK's types), HeadBucket and ListBuckets through boto3, and prints one
JSON object on stdout: {"listings": {name: count or {"error": ...}}, "s3": {...}}.
A listing that fails is reported, not raised, so that one run shows every failure.
"""

import json
import os
import sys
import traceback

from scaleway import Client
from scaleway.account.v3 import AccountV3ProjectAPI
from scaleway.block.v1 import BlockV1API
from scaleway.block.v1alpha1 import BlockV1Alpha1API
from scaleway.iam.v1alpha1 import IamV1Alpha1API
from scaleway.instance.v1 import InstanceV1API
from scaleway.k8s.v1 import K8SV1API
from scaleway.registry.v1 import RegistryV1API
from scaleway.secret.v1beta1 import SecretV1Beta1API
from scaleway.vpc.v2 import VpcV2API

env = os.environ
org = env["SIM_ORGANIZATION_ID"]
project = env["SIM_PROJECT_ID"]
client = Client(
    access_key=env["SIM_ACCESS_KEY"],
    secret_key=env["SIM_SECRET_KEY"],
    api_url=env["SIM_API_URL"],
    default_organization_id=org,
    default_project_id=project,
    default_region="fr-par",
    default_zone="fr-par-1",
)

listings = {}


def listing(name, call):
    """Runs one listing; records its item count or the error."""
    try:
        items = call()
        listings[name] = len(items)
        return items
    except Exception as e:  # noqa: BLE001 - every failure is reported
        listings[name] = {"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
        return []


instance = InstanceV1API(client)
# (The SDK fills `project` and `organization` from the client's defaults anyway.)
listing("instance_servers", lambda: instance.list_servers_all(zone="fr-par-1", project=project))
listing("instance_volumes", lambda: instance.list_volumes_all(zone="fr-par-2", project=project))

alpha = BlockV1Alpha1API(client)
listing("block_v1alpha1_volumes", lambda: alpha.list_volumes_all(zone="fr-par-1", project_id=project))
listing("block_v1alpha1_snapshots", lambda: alpha.list_snapshots_all(zone="fr-par-1", project_id=project))
block = BlockV1API(client)
v1_volumes = listing(
    "block_v1_volumes",
    lambda: block.list_volumes_all(include_deleted=False, zone="fr-par-1", project_id=project),
)
v1_snapshots = listing(
    "block_v1_snapshots",
    lambda: block.list_snapshots_all(include_deleted=False, zone="fr-par-1", project_id=project),
)

k8s = K8SV1API(client)
clusters = listing("k8s_clusters", lambda: k8s.list_clusters_all(region="fr-par", project_id=project))
listing(
    "k8s_pools",
    lambda: [p for c in clusters for p in k8s.list_pools_all(cluster_id=c.id, region="fr-par")],
)

vpc = VpcV2API(client)
listing("vpc_vpcs", lambda: vpc.list_vp_cs_all(region="fr-par", project_id=project))
listing("vpc_private_networks", lambda: vpc.list_private_networks_all(region="fr-par", project_id=project))

registry = RegistryV1API(client)
listing("registry_namespaces", lambda: registry.list_namespaces_all(region="fr-par", project_id=project))
images = listing("registry_images", lambda: registry.list_images_all(region="fr-par", project_id=project))
listing(
    "registry_tags",
    lambda: [t for i in images for t in registry.list_tags_all(image_id=i.id, region="fr-par")],
)

secret = SecretV1Beta1API(client)
secrets = listing(
    "secrets",
    lambda: secret.list_secrets_all(scheduled_for_deletion=False, region="fr-par", project_id=project),
)
scheduled = listing(
    "secrets_scheduled_for_deletion",
    lambda: secret.list_secrets_all(scheduled_for_deletion=True, region="fr-par", project_id=project),
)
listing(
    "secret_versions",
    lambda: [v for s in secrets for v in secret.list_secret_versions_all(secret_id=s.id, region="fr-par")],
)

iam = IamV1Alpha1API(client)
listing("iam_api_keys", lambda: iam.list_api_keys_all(organization_id=org))
listing("iam_applications", lambda: iam.list_applications_all(organization_id=org))
listing("iam_users", lambda: iam.list_users_all(organization_id=org))
listing("iam_groups", lambda: iam.list_groups_all(organization_id=org))
policies = listing("iam_policies", lambda: iam.list_policies_all(organization_id=org))
listing("iam_rules", lambda: [r for p in policies for r in iam.list_rules_all(policy_id=p.id)])
listing("iam_permission_sets", lambda: iam.list_permission_sets_all(organization_id=org))

account = AccountV3ProjectAPI(client)
listing("account_projects", lambda: account.list_projects_all(organization_id=org))

# A few typed values, to show the fields were parsed, not only counted.
details = {
    "kms_key_ids": sorted(v.kms_key_id for v in v1_volumes if v.kms_key_id),
    "public_snapshots": sorted(s.name for s in v1_snapshots if s.public),
    "scheduled_deletion_requested": [
        s.deletion_requested_at.isoformat() if s.deletion_requested_at else None for s in scheduled
    ],
}

# boto3: HeadBucket (200, 403, 404) and ListBuckets on the simulator's S3 endpoints.
s3 = {}
try:
    import boto3
    from botocore.client import Config
    from botocore.exceptions import ClientError

    def s3_client(region, access_key, secret_key):
        return boto3.client(
            "s3",
            endpoint_url=env[f"SIM_S3_{region.upper().replace('-', '_')}"],
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                retries={"max_attempts": 1, "mode": "standard"},
            ),
        )

    def head(name, client, bucket):
        try:
            r = client.head_bucket(Bucket=bucket)
            meta = r["ResponseMetadata"]
            s3[name] = {
                "status": meta["HTTPStatusCode"],
                "region": meta["HTTPHeaders"].get("x-amz-bucket-region"),
            }
        except ClientError as e:
            s3[name] = {"status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                        "code": e.response["Error"]["Code"]}
        except Exception as e:  # noqa: BLE001
            s3[name] = {"error": f"{type(e).__name__}: {e}"}

    # `ACCESS_KEY@PROJECT_ID` selects the project (object-storage.md).
    admin = s3_client("fr-par", f"{env['SIM_ACCESS_KEY']}@{project}", env["SIM_SECRET_KEY"])
    head("head_ok", admin, env["SIM_BUCKET_OK"])
    head("head_missing", admin, "no-such-bucket-here")
    denied = s3_client("nl-ams", env["SIM_DENIED_ACCESS_KEY"], env["SIM_DENIED_SECRET_KEY"])
    head("head_denied", denied, env["SIM_BUCKET_DENIED"])
    try:
        s3["list_buckets"] = len(admin.list_buckets()["Buckets"])
    except Exception as e:  # noqa: BLE001
        s3["list_buckets"] = {"error": f"{type(e).__name__}: {e}"}
except Exception as e:  # noqa: BLE001
    s3["error"] = f"{type(e).__name__}: {e}"

json.dump({"listings": listings, "details": details, "s3": s3}, sys.stdout)
