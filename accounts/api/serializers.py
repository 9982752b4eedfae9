from __future__ import annotations

from rest_framework import serializers

from accounts.models import JourneyStage, Plan, Role, SubscriptionStatus, User
from core.api.representation import RowSerializer, iso_datetime


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, allow_blank=False)


class LoginInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    device_token = serializers.CharField(
        max_length=1024,
        required=False,
        allow_blank=True,
        help_text=(
            "The `device_token` of an earlier successful login of this account on this device (optional). "
            'With it, failed logins elsewhere cannot lock this device out (README.md, "Login throttling").'
        ),
    )


class RefreshTokenInputSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=4096)


class VerifyEmailInputSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=512, trim_whitespace=True, help_text="The `token` parameter of the link in the verification email."
    )


class UserSerializer(RowSerializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    subscription_plan = serializers.ChoiceField(choices=Plan.choices)
    subscription_status = serializers.ChoiceField(choices=SubscriptionStatus.choices)
    journey_stage = serializers.ChoiceField(choices=JourneyStage.choices)
    login_count = serializers.IntegerField()
    last_login_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()
    email_verified = serializers.BooleanField(
        help_text="Whether the address is verified; until it is, it receives no other email."
    )

    def represent(self, user: User) -> dict:
        return {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
            "subscription_plan": user.subscription_plan,
            "subscription_status": user.subscription_status,
            "journey_stage": user.journey_stage,
            "login_count": user.login_count,
            "last_login_at": iso_datetime(user.last_login_at),
            "last_activity_at": iso_datetime(user.last_activity_at),
            "date_joined": iso_datetime(user.date_joined),
            "email_verified": user.email_verified,
        }


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["bearer"])
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")
    user = UserSerializer()


class LoginResponseSerializer(TokenPairSerializer):
    device_token = serializers.CharField(
        help_text=(
            "Proof that this device has logged in to this account: send it back as `device_token` on later "
            "logins (also set as an HttpOnly cookie for same-site browsers). Valid for 90 days."
        )
    )


class LogoutAllSerializer(serializers.Serializer):
    revoked_refresh_tokens = serializers.IntegerField()


class EmailVerificationSerializer(serializers.Serializer):
    email_verified = serializers.BooleanField()
    verification_email_sent = serializers.BooleanField(
        help_text="False when the address is verified already: nothing is sent then."
    )
