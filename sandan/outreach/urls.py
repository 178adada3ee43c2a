from django.urls import path

from sandan.outreach import views

app_name = "outreach"

urlpatterns = [
    path("dues/", views.dues_overview, name="dues_overview"),
    path("dues/councils/<int:pk>/", views.council_dues, name="council_dues"),
    path("dues/invoices/", views.invoice_list, name="invoice_list"),
    path("dues/invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("dues/invoices/<int:pk>/invoice.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("dues/receipts/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("pilots/", views.pilot_readiness, name="pilot_readiness"),
    path("pilots/<int:pk>/", views.pilot_detail, name="pilot_detail"),
]
