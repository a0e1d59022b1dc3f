from django.urls import path

from . import views

app_name = "submissions"
urlpatterns = [
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:instrument>/<slug:fmt>/", views.template_download, name="template_download"),
    path("prison/<str:site>/", views.dashboard, name="dashboard"),
    path("prison/<str:site>/history/", views.history, name="history"),
    path("prison/<str:site>/upload/", views.upload, name="upload"),
    path("prison/<str:site>/submission/<str:sid>/", views.receipt, name="receipt"),
    path("upload/<uuid:token>/", views.upload_detail, name="upload_detail"),
    path("upload/<uuid:token>/submit/", views.submit, name="submit"),
    path("upload/<uuid:token>/state/", views.upload_state, name="upload_state"),
]
