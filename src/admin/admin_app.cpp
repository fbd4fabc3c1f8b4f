#include "admin/admin_app.h"

#include <exception>
#include <variant>

#include <Poco/Exception.h>

#include "admin/command_support.h"
#include "admin/options.h"

namespace dfp::admin {

int runAdmin(const std::vector<std::string>& args, AdminIo& io) {
    try {
        auto parsed = parseCommandLine(args);
        if (const auto* error = std::get_if<UsageError>(&parsed)) {
            return usageFailure(io, error->message + " (dfp-admin --help lists the commands)");
        }
        const Invocation& invocation = std::get<Invocation>(parsed);
        if (invocation.help) {
            io.out << usageText();
            return kExitOk;
        }
        if (invocation.version) {
            io.out << "dfp-admin " << DFP_VERSION << "\n";
            return kExitOk;
        }
        return invocation.command->run(invocation, io);
    } catch (const storage::StoreOpenError& e) {
        return fail(io, e.what());
    } catch (const storage::AdminStoreError& e) {
        return fail(io, e.what());
    } catch (const Poco::Exception& e) {
        return fail(io, "error: " + e.displayText());
    } catch (const std::exception& e) {
        return fail(io, std::string("error: ") + e.what());
    }
}

std::unique_ptr<storage::AdminStore> openStore(const Invocation& invocation, StoreAccess access,
                                               storage::PasswordCost passwordCost) {
    storage::AdminStoreOptions options;
    options.dataDir = invocation.dataDir;
    options.readOnly = access == StoreAccess::Read || access == StoreAccess::ReadAnyAge;
    options.requireCurrentSchema = access == StoreAccess::Read || access == StoreAccess::Write;
    options.passwordCost = passwordCost;
    return storage::openAdminStore(options);
}

int fail(AdminIo& io, std::string_view message) {
    io.err << "dfp-admin: " << message << "\n";
    return kExitFailure;
}

int usageFailure(AdminIo& io, std::string_view message) {
    io.err << "dfp-admin: " << message << "\n";
    return kExitUsage;
}

Poco::JSON::Object::Ptr jsonObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Poco::JSON::Array::Ptr jsonArray() {
    return new Poco::JSON::Array();
}

void printJson(std::ostream& out, const Poco::JSON::Object::Ptr& document) {
    document->stringify(out);
    out << "\n";
}

}  // namespace dfp::admin
