import pytest
import time_machine


@pytest.fixture
def frozen_now():
    """frozen_now(aware_datetime) stops the clock there (timezone.now(), localdate and the database's
    Python-side defaults follow); calling it again moves the clock."""
    travellers = []

    def freeze(moment):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in travellers:
        traveller.stop()
