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
    afresh and keep its own copy. Read once per process, they are shared (docs/benchmarks.md)."""

    def _create_session(self):
        core = botocore.session.get_session()
        loader = botocore_data_loader()
        core.register_component("data_loader", loader)
        if self.session_profile:
            session = boto3.Session(profile_name=self.session_profile, botocore_session=core)
        else:
            session = boto3.Session(
                aws_access_key_id=self.access_key,
                aws_secret_access_key=self.secret_key,
                aws_session_token=self.security_token,
                botocore_session=core,
            )
        # Each boto3 session adds its own data folder to the loader's paths: the shared loader's
        # list would grow by one with every session. Another session's copy may be the one taken
        # off; one always stays.
        paths = loader.search_paths
        if paths.count(paths[-1]) > 1:
            paths.pop()
        return session
