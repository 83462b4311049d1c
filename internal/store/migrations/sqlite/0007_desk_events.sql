-- The events a souvenir-desk staff member may redeem vouchers at.
CREATE TABLE staff_events (
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, event_id)
);
