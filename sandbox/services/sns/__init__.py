"""SNS: subscriptions wait for their endpoint's confirmation, as AWS's do.

moto 5.2.5 confirms every subscription at once. AWS confirms a subscription of another account's resource only when
its endpoint does: an email (or email-json) recipient follows the link SNS mails, an HTTP(S) endpoint visits the
SubscribeURL SNS posts to it. Until then ListSubscriptionsByTopic (and ListSubscriptions) report its
SubscriptionArn as ``PendingConfirmation``, GetSubscriptionAttributes ``PendingConfirmation: true``, and Unsubscribe
refuses it. The sandbox delivers nothing, so such subscriptions stay pending; SQS, Lambda, Firehose, application and
SMS subscriptions are confirmed at once, as AWS confirms those of the topic's own account.
"""

from __future__ import annotations

from typing import Any

from moto.sns.exceptions import SNSInvalidParameter
from moto.sns.models import SNSBackend

from sandbox.services import Hooks, methods, original, wrap

PENDING = "PendingConfirmation"
CONFIRMED_BY_THE_ENDPOINT = ("email", "email-json", "http", "https")


def subscribe(factory: Any) -> Any:
    def patched(self: SNSBackend, topic_arn: str, endpoint: str, protocol: str) -> Any:
        subscription = factory(self, topic_arn, endpoint, protocol)
        if protocol in CONFIRMED_BY_THE_ENDPOINT:
            # The response serializer reads subscription_arn before arn: the listings show it pending, while moto
            # keeps the real ARN for its own bookkeeping.
            subscription.subscription_arn = PENDING
            subscription.attributes["PendingConfirmation"] = "true"
        return subscription

    return patched


def unsubscribe(self: SNSBackend, subscription_arn: str) -> None:
    if subscription_arn == PENDING:
        raise SNSInvalidParameter("Invalid parameter: SubscriptionArn Reason: a subscription that awaits its "
                                  "confirmation cannot be removed")
    original(unsubscribe)(self, subscription_arn)


HOOKS = Hooks(wrap(SNSBackend, "subscribe", subscribe), methods(SNSBackend, unsubscribe))
