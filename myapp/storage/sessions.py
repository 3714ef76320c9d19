"""boto3 sessions that share botocore's service models, read once per process."""

import functools

import boto3
import botocore.session


@functools.cache
def botocore_data_loader():
    """The loader of botocore's JSON data (service models, endpoints) that every boto3 session
    of the process shares, keeping each file it has read."""
    return botocore.session.get_session().get_component("data_loader")


class SharedModelsMixin:
    """For S3 storages: django-storages makes a boto3 session for each thread that uses the
    storage (a session is not thread-safe), and each would read botocore's JSON models of S3
    afresh and keep its own copy, which takes a fraction of a second and some 10 MiB of memory
    per thread. Read once per process, they are shared."""

    def _create_session(self):
        core = botocore.session.get_session()
        core.register_component("data_loader", botocore_data_loader())
        if self.session_profile:
            return boto3.Session(profile_name=self.session_profile, botocore_session=core)
        return boto3.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.security_token,
            botocore_session=core,
        )
