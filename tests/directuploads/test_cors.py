"""The CORS rules direct uploads need, asked and set on a real S3 server (moto) and Azurite."""

import pytest
from django.core.files.storage import default_storage

from directuploads import cors

SITE, OTHER = "https://app.example.com", "https://elsewhere.example.com"


def set_bucket_rules(bucket, origins):
    bucket.client.put_bucket_cors(
        Bucket=bucket.name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": origins,
                    "AllowedMethods": ["GET", "PUT"],
                    # What a part carries: its checksum.
                    "AllowedHeaders": ["content-type", "x-amz-checksum-sha256"],
                }
            ]
        },
    )


def test_a_bucket_allows_the_origins_its_rules_name_and_no_other(s3_bucket):
    set_bucket_rules(s3_bucket, [SITE])
    assert cors.allows(default_storage, SITE)
    assert not cors.allows(default_storage, OTHER)


def test_the_rule_added_to_a_bucket_keeps_its_other_rules(s3_bucket):
    set_bucket_rules(s3_bucket, [OTHER])

    cors.allow(default_storage, [SITE])
    cors.allow(default_storage, [SITE])  # a second time replaces the project's rule

    rules = s3_bucket.client.get_bucket_cors(Bucket=s3_bucket.name)["CORSRules"]
    # Not asked with a preflight: moto refuses every origin once a bucket has two rules.
    assert [rule["AllowedOrigins"] for rule in rules] == [[SITE], [OTHER]]
    assert rules[0]["AllowedMethods"] == ["PUT"]


@pytest.fixture
def azure_service(azure_container, azurite):
    service = azurite.client()
    yield service
    service.set_service_properties(cors=[])


def test_an_azure_account_allows_the_origins_its_rules_name_once_the_rule_is_added(
    azure_service,
):
    assert not cors.allows(default_storage, SITE)

    cors.allow(default_storage, [SITE])

    assert cors.allows(default_storage, SITE)
    assert not cors.allows(default_storage, OTHER)
    (rule,) = azure_service.get_service_properties()["cors"]
    assert (rule.allowed_origins, rule.allowed_methods) == (SITE, "PUT")
