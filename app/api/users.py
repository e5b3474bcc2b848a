"""Users (coordinator only) and the audit trail; `GET /users/me` for anyone signed in."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlmodel import select

from app import schemas
from app.api.common import paginate, territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import AuditEntry, User
from app.services import users, weeks

blp = Blueprint("users", "users", url_prefix="/api/v1", description="Utilisateurs et journal d'audit")
UserPage = schemas.page_schema(schemas.UserSchema, "UserPage")
AuditPage = schemas.page_schema(schemas.AuditSchema, "AuditPage")


@blp.route("/users")
class Users(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, UserPage)
    @blp.doc(operationId="listUsers", summary="List the users")
    def get(self, args):
        return paginate(get_session(), select(User).order_by(User.id), args)

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.UserSchema)
    @blp.response(201, schemas.UserCreatedSchema)
    @blp.doc(operationId="createUser")
    def post(self, data):
        """Create a user; the answer carries its API token, shown this once only."""
        with unit_of_work() as session:
            user, token = users.create(session, data)
        return {**user.model_dump(), "token": token}


@blp.route("/users/me")
class Me(MethodView):
    @require()
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.UserSchema)
    @blp.doc(operationId="getCurrentUser", summary="The signed-in user")
    def get(self):
        return current_user()


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.UserSchema)
    @blp.doc(operationId="getUser", summary="Read a user")
    def get(self, user_id):
        return users.find(get_session(), user_id)

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(204)
    @blp.doc(operationId="deactivateUser")
    def delete(self, user_id):
        """Deactivate a user (their tokens stop working; the audit trail keeps their name)."""
        with unit_of_work() as session:
            users.deactivate(session, user_id)


@blp.route("/audit")
class Audit(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.AuditArgs, location="query")
    @blp.response(200, AuditPage)
    @blp.doc(operationId="listAuditEntries", summary="The audit trail of the writes, by week or entity")
    def get(self, args):
        query = select(AuditEntry)
        if args.get("week"):
            query = query.where(AuditEntry.week_id == weeks.find_week(get_session(), args["week"],
                                                                      territory_id()).id)
        if args.get("entity"):
            query = query.where(AuditEntry.entity == args["entity"])
        return paginate(get_session(), query.order_by(AuditEntry.id), args)
