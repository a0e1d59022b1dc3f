from django.urls import path

from . import interviews, views

app_name = "evaluator"
urlpatterns = [
    path("", views.status, name="status"),
    path("linkage/", views.linkage, name="linkage"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<str:sid>/", views.quarantine_report, name="quarantine_report"),
    path("interviews/", views.interviews, name="interviews"),
    path("interviews/upload/", interviews.upload, name="interview_upload"),
    path("interviews/file/<uuid:token>/", interviews.detail, name="interview_detail"),
    path("interviews/file/<uuid:token>/import/", interviews.start_import, name="interview_import"),
    path("interviews/file/<uuid:token>/state/", interviews.state, name="interview_state"),
    path("quotes/", views.signoffs, name="signoffs"),
    path("audit/", views.audit, name="audit"),
    path("builds/", views.builds, name="builds"),
    path("builds/start/", views.build_start, name="build_start"),
    path("builds/<int:pk>/site.zip", views.build_download, name="build_download"),
]
