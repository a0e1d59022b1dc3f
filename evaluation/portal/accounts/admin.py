from django.contrib import admin

from .models import Profile, SiteMembership


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "language", "demo")
    list_filter = ("role", "language")


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "site")
    list_filter = ("site",)
