from __future__ import annotations

from rest_framework import serializers

from accounts.models import User


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


class UserSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(
        read_only=True, help_text="Whether the address is verified; until it is, it receives no other email."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "is_active",
            "subscription_plan",
            "subscription_status",
            "journey_stage",
            "login_count",
            "last_login_at",
            "last_activity_at",
            "date_joined",
            "email_verified",
        ]
        read_only_fields = fields


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
