from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from teaching.models import Classroom, Enrollment
from teaching.roles import make_instructor, make_learner

DEMO_CLASS = "Demo class"


class Command(BaseCommand):
    help = ("Give the demo instructor (create_demo_accounts) the instructor's role and a demo class with the demo "
            "learner in it, and print its invite code.")

    def handle(self, *args, **options):
        instructor = User.objects.filter(username="instructor").first()
        learner = User.objects.filter(username="learner").first()
        if instructor is None or learner is None:
            raise CommandError("Run create_demo_accounts first.")
        make_instructor(instructor)
        classroom = Classroom.objects.taught_by(instructor).filter(name=DEMO_CLASS).first()
        if classroom is None:
            classroom = Classroom.objects.create(name=DEMO_CLASS)
            classroom.instructors.add(instructor)
        Enrollment.objects.get_or_create(classroom=classroom, learner=learner)
        make_learner(learner)
        self.stdout.write(f"Demo class {classroom.name!r}: invite code {classroom.invite_code!r}")
