from sandan.support.views import problems, projects

app_name = "support"

urlpatterns = [*problems.urlpatterns, *projects.urlpatterns]
