from rest_framework import serializers

from accounts.models import User


class UserSerializer(serializers.ModelSerializer):
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "createdAt", "updatedAt"]


class CredentialsSerializer(serializers.Serializer):
    # Length and strength are checked by the service (so pages and API agree);
    # the caps here only keep absurd bodies out.
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=1000, trim_whitespace=False)


class RefreshTokenSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=4000)


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")


class PasswordChangeSerializer(serializers.Serializer):
    currentPassword = serializers.CharField(max_length=1000, trim_whitespace=False)
    newPassword = serializers.CharField(max_length=1000, trim_whitespace=False)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(max_length=1000, trim_whitespace=False)


class EmailTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000)
